<?php

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
$n = $data[0];
$a = array_slice($data, 1, $n);
// TODO: find the largest sum of a non-empty contiguous part of $a.
$best = 0;
echo $best, "\n";
