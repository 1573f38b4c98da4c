fun main() {
    val (a, b) = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+"))
    // TODO: compute the length of the longest common subsequence of a and b.
    val answer = 0
    println(answer)
}
