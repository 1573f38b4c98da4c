#include <iostream>
#include <string>

int main() {
    std::string a, b;
    std::cin >> a >> b;
    // TODO: compute the length of the longest common subsequence of a and b.
    int answer = 0;
    std::cout << answer << '\n';
    return 0;
}
