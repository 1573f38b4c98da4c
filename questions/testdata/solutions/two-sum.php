<?php

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
[$n, $target] = $data;
$seen = [];
for ($j = 0; $j < $n; $j++) {
    $v = $data[2 + $j];
    if (isset($seen[$target - $v])) {
        echo $seen[$target - $v] + 1, ' ', $j + 1, "\n";
        break;
    }
    if (!isset($seen[$v])) {
        $seen[$v] = $j;
    }
}
