<?php

/**
 * Returns the indices of the two numbers of $nums that add up to $target.
 *
 * @param int[] $nums
 * @return int[]
 */
function twoSum(array $nums, int $target): array
{
    // TODO: find $i != $j with $nums[$i] + $nums[$j] == $target, and return
    // [$i, $j].
    return [];
}
