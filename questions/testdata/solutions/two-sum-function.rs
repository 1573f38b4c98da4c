use std::collections::HashMap;

pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {
    let mut seen: HashMap<i32, usize> = HashMap::new();
    for (j, &v) in nums.iter().enumerate() {
        if let Some(&i) = seen.get(&(target - v)) {
            return vec![i as i32, j as i32];
        }
        seen.entry(v).or_insert(j);
    }
    Vec::new()
}
