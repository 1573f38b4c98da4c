fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val n = data[0].toInt()
    val q = data[1].toInt()
    val a = data.subList(2, 2 + n)
    val out = StringBuilder()
    for (x in data.subList(2 + n, 2 + n + q)) {
        // TODO: count the occurrences of x in the sorted list a.
        val count = 0
        out.append(count).append('\n')
    }
    print(out)
}
