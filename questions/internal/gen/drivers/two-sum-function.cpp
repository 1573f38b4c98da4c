#include <algorithm>
#include <cstddef>
#include <iostream>
#include <vector>

// The learner's function, in solution.cpp.
std::vector<int> twoSum(std::vector<int>& nums, int target);

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n, target;
    std::cin >> n >> target;
    std::vector<int> nums(n);
    for (auto& x : nums) {
        std::cin >> x;
    }
    std::vector<int> result = twoSum(nums, target);
    // The indices may come in any order: print them sorted.
    std::sort(result.begin(), result.end());
    for (std::size_t i = 0; i < result.size(); i++) {
        if (i > 0) {
            std::cout << ' ';
        }
        std::cout << result[i];
    }
    std::cout << '\n';
    return 0;
}
