fun main() {
    val driverCases = listOf(3, 0)
    for (driverCase in driverCases) {
        println(Solution().solve(driverCase))
    }
}
