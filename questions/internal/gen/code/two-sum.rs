use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let target = it.next().unwrap();
    let a: Vec<i64> = it.take(n).collect();
    // TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
    let (i, j) = (0, 0);
    println!("{} {}", i, j);
}
