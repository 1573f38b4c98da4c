fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    val n = data[0].toInt()
    val target = data[1]
    val a = data.subList(2, 2 + n)
    // TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
    val i = 0
    val j = 0
    println("$i $j")
}
