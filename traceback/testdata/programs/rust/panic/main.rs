mod solution;

fn main() {
    let driver_cases = vec![vec![1, 2, 3], vec![]];
    for driver_case in driver_cases {
        println!("{}", solution::first(&driver_case));
    }
}
