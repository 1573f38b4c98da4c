#include <iostream>
#include <string>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int t;
    std::cin >> t;
    while (t-- > 0) {
        std::string s;
        std::cin >> s;
        // TODO: decide whether s is balanced.
        bool balanced = false;
        std::cout << (balanced ? "YES" : "NO") << '\n';
    }
    return 0;
}
