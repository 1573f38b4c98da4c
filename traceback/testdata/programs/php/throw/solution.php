<?php

function solve(int $n): int
{
    if ($n === 0) {
        throw new InvalidArgumentException('n must be positive');
    }
    return intdiv(10, $n);
}
