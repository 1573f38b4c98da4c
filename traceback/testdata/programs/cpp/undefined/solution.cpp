#include <vector>
std::vector<int> solve(const std::vector<int>& nums) { return nums; }
