#include <iostream>

int main() {
    long long a, b;
    std::cin >> a >> b;
    // TODO: compute the sum of a and b.
    long long answer = 0;
    std::cout << answer << '\n';
    return 0;
}
