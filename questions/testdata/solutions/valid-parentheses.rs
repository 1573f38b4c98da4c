use std::fmt::Write;
use std::io::{self, Read};

fn balanced(s: &str) -> bool {
    let mut stack = Vec::new();
    for c in s.bytes() {
        match c {
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b'{' => stack.push(b'}'),
            _ => {
                if stack.pop() != Some(c) {
                    return false;
                }
            }
        }
    }
    stack.is_empty()
}

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace();
    let t: usize = it.next().unwrap().parse().unwrap();
    let mut out = String::new();
    for s in it.take(t) {
        writeln!(out, "{}", if balanced(s) { "YES" } else { "NO" }).unwrap();
    }
    print!("{}", out);
}
