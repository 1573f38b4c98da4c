<?php

function solveIt(int $n): int
{
    return $n * 2;
}
