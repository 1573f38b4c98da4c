<?php

$n = (int) trim(fgets(STDIN));
$out = [];
for ($i = 1; $i <= $n; $i++) {
    // TODO: print Fizz, Buzz or FizzBuzz instead of $i when $i is divisible
    // by 3, by 5 or by both.
    $out[] = $i;
}
echo implode("\n", $out), "\n";
