pub fn solve(n: i64) -> String {
    (n * 2).to_string()
}
