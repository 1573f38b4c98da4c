fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val n = data[0].toInt()
    val target = data[1]
    val seen = HashMap<Long, Int>()
    for (j in 0 until n) {
        val v = data[2 + j]
        val i = seen[target - v]
        if (i != null) {
            println("${i + 1} ${j + 1}")
            return
        }
        seen.putIfAbsent(v, j)
    }
}
