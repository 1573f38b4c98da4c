fun main() {
    val input = System.`in`.bufferedReader()
    val k = input.readLine().trim().toInt()
    val text = input.readText()
    // TODO: count the words of text (runs of letters, ignoring case) in counts
    // and print the k most frequent ones, one "word count" per line.
    val counts = HashMap<String, Int>()
    for ((word, count) in counts.entries.take(k)) {
        println("$word $count")
    }
}
