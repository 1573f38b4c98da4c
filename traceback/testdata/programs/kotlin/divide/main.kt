fun main() {
    val driverRun = { n: Int -> Solution().solve(n) }
    println(driverRun(0))
}
