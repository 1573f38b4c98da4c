// main reads the test, calls the learner's two_sum (solution.rs, the module
// solution) and prints the indices it returns.
mod solution;

use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let target = it.next().unwrap() as i32;
    let nums: Vec<i32> = it.take(n).map(|x| x as i32).collect();
    let mut result = solution::two_sum(nums, target);
    // The indices may come in any order: print them sorted.
    result.sort_unstable();
    let words: Vec<String> = result.iter().map(|x| x.to_string()).collect();
    println!("{}", words.join(" "));
}
