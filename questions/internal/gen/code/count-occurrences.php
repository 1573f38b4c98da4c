<?php

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
[$n, $q] = $data;
$a = array_slice($data, 2, $n);
$queries = array_slice($data, 2 + $n, $q);
$out = [];
foreach ($queries as $x) {
    // TODO: count the occurrences of $x in the sorted array $a.
    $count = 0;
    $out[] = $count;
}
echo implode("\n", $out), "\n";
