fun main() {
    val n = readLine()!!.trim().toInt()
    val out = StringBuilder()
    for (i in 1..n) {
        // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
        // divisible by 3, by 5 or by both.
        out.append(i).append('\n')
    }
    print(out)
}
