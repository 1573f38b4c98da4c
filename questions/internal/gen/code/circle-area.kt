import kotlin.math.PI

fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+"))
    val t = data[0].toInt()
    val out = StringBuilder()
    for (k in 1..t) {
        val r = data[k].toDouble()
        // TODO: compute the area of a circle of radius r (see PI).
        val area = 0.0
        out.append(String.format("%.9f", area)).append('\n')
    }
    print(out)
}
