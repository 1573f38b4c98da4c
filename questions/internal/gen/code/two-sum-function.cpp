#include <vector>

// Returns the indices of the two numbers of nums that add up to target.
std::vector<int> twoSum(std::vector<int>& nums, int target) {
    // TODO: find i != j with nums[i] + nums[j] == target, and return {i, j}.
    return {};
}
