class Solution {
    fun solve(n: Int): Int {
        require(n > 0) { "n must be positive: $n" }
        return 10 / n
    }
}
