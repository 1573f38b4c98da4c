use std::collections::HashMap;
use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let target = it.next().unwrap();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for (j, v) in it.take(n).enumerate() {
        if let Some(&i) = seen.get(&(target - v)) {
            println!("{} {}", i + 1, j + 1);
            return;
        }
        seen.entry(v).or_insert(j);
    }
}
