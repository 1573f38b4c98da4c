use std::collections::HashMap;
use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let (first, text) = input.split_once('\n').unwrap_or((&input, ""));
    let k: usize = first.trim().parse().unwrap();
    // TODO: count the words of text (runs of letters, ignoring case) in counts
    // and print the k most frequent ones, one "word count" per line.
    let counts: HashMap<String, usize> = HashMap::new();
    for (word, count) in counts.iter().take(k) {
        println!("{} {}", word, count);
    }
}
