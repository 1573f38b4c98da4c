/// Returns the indices of the two numbers of nums that add up to target.
pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> {
    // TODO: find i != j with nums[i] + nums[j] == target, and return
    // vec![i as i32, j as i32].
    Vec::new()
}
