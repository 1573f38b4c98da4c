class Solution {
    // Returns the indices of the two numbers of nums that add up to target.
    fun twoSum(nums: IntArray, target: Int): IntArray {
        // TODO: find i != j with nums[i] + nums[j] == target, and return
        // intArrayOf(i, j).
        return intArrayOf()
    }
}
