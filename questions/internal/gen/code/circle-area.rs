use std::f64::consts::PI;
use std::fmt::Write;
use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace();
    let t: usize = it.next().unwrap().parse().unwrap();
    let mut out = String::new();
    for _ in 0..t {
        let r: f64 = it.next().unwrap().parse().unwrap();
        // TODO: compute the area of a circle of radius r (see PI).
        let area = 0.0;
        writeln!(out, "{:.9}", area).unwrap();
    }
    print!("{}", out);
}
