const val LIMIT = 1000000

fun main() {
    // TODO: sieve the primes up to LIMIT once, here.
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toInt() }
    val q = data[0]
    val out = StringBuilder()
    for (n in data.subList(1, 1 + q)) {
        // TODO: count the primes p <= n.
        val answer = 0
        out.append(answer).append('\n')
    }
    print(out)
}
