<?php

function twoSum(array $nums, int $target): array
{
    $seen = [];
    foreach ($nums as $j => $v) {
        if (isset($seen[$target - $v])) {
            return [$seen[$target - $v], $j];
        }
        if (!isset($seen[$v])) {
            $seen[$v] = $j;
        }
    }
    return [];
}
