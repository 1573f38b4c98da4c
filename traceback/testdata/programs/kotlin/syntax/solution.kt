class Solution {
    fun solve(n: Int): Int {
        return n * (2
    }
}
