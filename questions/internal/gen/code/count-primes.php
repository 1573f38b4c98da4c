<?php

const LIMIT = 1000000;

$data = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
$q = $data[0];
// TODO: sieve the primes up to LIMIT once, here.
$out = [];
foreach (array_slice($data, 1, $q) as $n) {
    // TODO: count the primes p <= $n.
    $answer = 0;
    $out[] = $answer;
}
echo implode("\n", $out), "\n";
