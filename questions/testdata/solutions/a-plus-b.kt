fun main() {
    val (a, b) = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    println(a + b)
}
