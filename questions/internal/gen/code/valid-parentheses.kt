fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+"))
    val t = data[0].toInt()
    val out = StringBuilder()
    for (s in data.subList(1, 1 + t)) {
        // TODO: decide whether s is balanced.
        val balanced = false
        out.append(if (balanced) "YES" else "NO").append('\n')
    }
    print(out)
}
