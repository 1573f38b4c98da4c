<?php

$data = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
$t = (int) $data[0];
$out = [];
foreach (array_slice($data, 1, $t) as $s) {
    // TODO: decide whether $s is balanced.
    $balanced = false;
    $out[] = $balanced ? 'YES' : 'NO';
}
echo implode("\n", $out), "\n";
