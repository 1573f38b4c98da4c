#include <iostream>

int main() {
    int driver_answer = solve(3);
    std::cout << driver_answer << '\n';
    return 0;
}
