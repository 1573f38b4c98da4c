<?php

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
[$n, $target] = $data;
$a = array_slice($data, 2, $n);
// TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
$i = 0;
$j = 0;
echo "$i $j\n";
