fun main() {
    val s = readLine()!!.trim()
    // TODO: reverse s.
    val answer = s
    println(answer)
}
