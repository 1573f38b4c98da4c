fn solve(n: i64) -> i64 {
    n * 2
}
