#include <unordered_map>
#include <vector>

std::vector<int> twoSum(std::vector<int>& nums, int target) {
    std::unordered_map<int, int> seen;
    seen.reserve(2 * nums.size());
    for (int j = 0; j < static_cast<int>(nums.size()); j++) {
        auto it = seen.find(target - nums[j]);
        if (it != seen.end()) {
            return {it->second, j};
        }
        seen.emplace(nums[j], j);
    }
    return {};
}
