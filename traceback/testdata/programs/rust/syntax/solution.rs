pub fn solve(n: i64) -> i64 {
    let doubled = n * 2
    doubled
}
