// main reads the test, calls the learner's Solution().twoSum (solution.kt)
// and prints the indices it returns.
fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+"))
    val n = data[0].toInt()
    val target = data[1].toInt()
    val nums = IntArray(n) { data[2 + it].toInt() }
    val result = Solution().twoSum(nums, target).copyOf()
    // The indices may come in any order: print them sorted.
    result.sort()
    println(result.joinToString(" "))
}
