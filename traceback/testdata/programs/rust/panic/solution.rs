pub fn first(v: &[i64]) -> i64 {
    v[0] * 2
}
