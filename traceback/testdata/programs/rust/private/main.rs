mod solution;

fn main() {
    let driver_answer = solution::solve(3);
    println!("{}", driver_answer);
}
