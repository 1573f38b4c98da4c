use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_whitespace().map(|x| x.parse::<i64>().unwrap());
    let n = it.next().unwrap() as usize;
    let a: Vec<i64> = it.take(n).collect();
    let (mut best, mut cur) = (a[0], a[0]);
    for &v in &a[1..] {
        cur = v.max(cur + v);
        best = best.max(cur);
    }
    println!("{}", best);
}
