fun main() {
    val driverAnswer = Solution().solve(3)
    println(driverAnswer)
}
