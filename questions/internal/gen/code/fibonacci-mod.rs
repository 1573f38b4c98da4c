use std::fmt::Write;
use std::io::{self, Read};

const MOD: u64 = 1_000_000_007;

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<u64>().unwrap());
    let t = it.next().unwrap() as usize;
    let mut out = String::new();
    for n in it.take(t) {
        // TODO: compute F(n) modulo MOD in O(log n) steps, reducing every
        // product modulo MOD.
        let answer: u64 = 0;
        writeln!(out, "{}", answer).unwrap();
    }
    print!("{}", out);
}
