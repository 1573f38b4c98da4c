use std::io;

fn main() {
    let mut line = String::new();
    io::stdin().read_line(&mut line).unwrap();
    let s = line.trim();
    // TODO: reverse s.
    let answer = s.to_string();
    println!("{}", answer);
}
