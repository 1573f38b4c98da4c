<?php

// The driver reads the test, calls the learner's twoSum (solution.php) and
// prints the indices it returns.
require __DIR__ . '/solution.php';

if (!function_exists('twoSum')) {
    fwrite(STDERR, "solution.php must define the function twoSum(\$nums, \$target)\n");
    exit(1);
}
$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
$n = $data[0];
$target = $data[1];
$nums = array_slice($data, 2, $n);
$result = twoSum($nums, $target);
// The indices may come in any order: print them sorted.
sort($result);
echo implode(' ', $result), "\n";
