'use strict';

/**
 * Returns the indices of the two numbers of nums that add up to target.
 *
 * @param {number[]} nums
 * @param {number} target
 * @return {number[]}
 */
function twoSum(nums, target) {
    // TODO: find i !== j with nums[i] + nums[j] === target, and return [i, j].
    return [];
}

module.exports = { twoSum };
