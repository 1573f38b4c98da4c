mod solution;

fn main() {
    let driver_total: i64 = solution::solve(3);
    println!("{}", driver_total);
}
