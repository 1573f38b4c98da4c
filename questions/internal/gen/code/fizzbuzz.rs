use std::fmt::Write;
use std::io;

fn main() {
    let mut line = String::new();
    io::stdin().read_line(&mut line).unwrap();
    let n: u32 = line.trim().parse().unwrap();
    let mut out = String::new();
    for i in 1..=n {
        // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
        // divisible by 3, by 5 or by both.
        writeln!(out, "{}", i).unwrap();
    }
    print!("{}", out);
}
