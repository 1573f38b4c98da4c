fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val n = data[0].toInt()
    val a = data.subList(1, 1 + n)
    // TODO: find the largest sum of a non-empty contiguous part of a.
    val best = 0L
    println(best)
}
