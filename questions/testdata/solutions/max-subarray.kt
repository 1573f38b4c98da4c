fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val n = data[0].toInt()
    var best = data[1]
    var cur = data[1]
    for (i in 2..n) {
        cur = maxOf(data[i], cur + data[i])
        best = maxOf(best, cur)
    }
    println(best)
}
