<?php

const MOD = 1000000007;

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
$t = $data[0];
$out = [];
foreach (array_slice($data, 1, $t) as $n) {
    // TODO: compute F($n) modulo MOD in O(log n) steps, reducing every
    // product modulo MOD.
    $answer = 0;
    $out[] = $answer;
}
echo implode("\n", $out), "\n";
