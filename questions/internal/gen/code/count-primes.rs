use std::fmt::Write;
use std::io::{self, Read};

const LIMIT: usize = 1_000_000;

fn main() {
    // TODO: sieve the primes up to LIMIT once, here.
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<usize>().unwrap());
    let q = it.next().unwrap();
    let mut out = String::new();
    for n in it.take(q) {
        // TODO: count the primes p <= n.
        let answer = 0;
        writeln!(out, "{}", answer).unwrap();
    }
    print!("{}", out);
}
