<?php

function solve(int $n): int
{
    return $n * ;
}
