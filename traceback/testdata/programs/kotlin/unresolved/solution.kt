class Solution {
    fun solveIt(n: Int): Int = n * 2
}
