const val MOD = 1000000007L

fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val t = data[0].toInt()
    val out = StringBuilder()
    for (n in data.subList(1, 1 + t)) {
        // TODO: compute F(n) modulo MOD in O(log n) steps, reducing every
        // product modulo MOD.
        val answer = 0L
        out.append(answer).append('\n')
    }
    print(out)
}
