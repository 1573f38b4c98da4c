fun balanced(s: String): Boolean {
    val stack = CharArray(s.length)
    var top = 0
    for (c in s) {
        when (c) {
            '(' -> stack[top++] = ')'
            '[' -> stack[top++] = ']'
            '{' -> stack[top++] = '}'
            else -> if (top == 0 || stack[--top] != c) return false
        }
    }
    return top == 0
}

fun main() {
    val data = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+"))
    val t = data[0].toInt()
    val out = StringBuilder()
    for (s in data.subList(1, 1 + t)) {
        out.append(if (balanced(s)) "YES" else "NO").append('\n')
    }
    print(out)
}
