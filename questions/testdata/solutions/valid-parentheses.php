<?php

function balanced(string $s): bool
{
    $close = ['(' => ')', '[' => ']', '{' => '}'];
    $stack = [];
    $len = strlen($s);
    for ($i = 0; $i < $len; $i++) {
        $c = $s[$i];
        if (isset($close[$c])) {
            $stack[] = $close[$c];
        } elseif (array_pop($stack) !== $c) {
            return false;
        }
    }
    return count($stack) === 0;
}

$data = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
$t = (int) $data[0];
$out = [];
foreach (array_slice($data, 1, $t) as $s) {
    $out[] = balanced($s) ? 'YES' : 'NO';
}
echo implode("\n", $out), "\n";
