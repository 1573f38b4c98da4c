#include <iostream>
#include <vector>

int solve(const std::vector<int>& nums);

int main() {
    std::vector<int> driver_nums{1, 2, 3};
    std::cout << solve(driver_nums) << '\n';
    return 0;
}
