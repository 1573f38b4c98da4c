<?php

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
$n = $data[0];
$best = $cur = $data[1];
for ($i = 2; $i <= $n; $i++) {
    $cur = max($data[$i], $cur + $data[$i]);
    $best = max($best, $cur);
}
echo $best, "\n";
