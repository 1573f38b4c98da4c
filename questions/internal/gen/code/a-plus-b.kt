fun main() {
    val (a, b) = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    // TODO: compute the sum of a and b.
    val answer = 0L
    println(answer)
}
