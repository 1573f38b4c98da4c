use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let (a, b) = (it.next().unwrap(), it.next().unwrap());
    // TODO: compute the sum of a and b.
    let answer: i64 = 0;
    println!("{}", answer);
}
