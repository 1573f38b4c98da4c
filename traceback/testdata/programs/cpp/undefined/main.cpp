#include <iostream>
#include <vector>

std::vector<int> solve(std::vector<int>& nums);

int main() {
    std::vector<int> driver_nums{1, 2, 3};
    std::vector<int> driver_answer = solve(driver_nums);
    std::cout << driver_answer.size() << '\n';
    return 0;
}
