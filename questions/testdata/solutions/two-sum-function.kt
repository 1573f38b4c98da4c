class Solution {
    fun twoSum(nums: IntArray, target: Int): IntArray {
        val seen = HashMap<Int, Int>()
        for ((j, v) in nums.withIndex()) {
            val i = seen[target - v]
            if (i != null) {
                return intArrayOf(i, j)
            }
            seen.putIfAbsent(v, j)
        }
        return intArrayOf()
    }
}
