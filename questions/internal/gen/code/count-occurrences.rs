use std::fmt::Write;
use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let q = it.next().unwrap() as usize;
    let a: Vec<i64> = it.by_ref().take(n).collect();
    let mut out = String::new();
    for x in it.take(q) {
        // TODO: count the occurrences of x in the sorted vector a.
        let count = 0;
        writeln!(out, "{}", count).unwrap();
    }
    print!("{}", out);
}
