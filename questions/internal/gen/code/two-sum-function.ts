/**
 * Returns the indices of the two numbers of nums that add up to target.
 */
export function twoSum(nums: number[], target: number): number[] {
    // TODO: find i !== j with nums[i] + nums[j] === target, and return [i, j].
    return [];
}
