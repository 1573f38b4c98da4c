use std::fmt::Write;
use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace();
    let t: usize = it.next().unwrap().parse().unwrap();
    let mut out = String::new();
    for s in it.take(t) {
        // TODO: decide whether s is balanced.
        let balanced = false;
        writeln!(out, "{}", if balanced { "YES" } else { "NO" }).unwrap();
    }
    print!("{}", out);
}
