#include <iostream>

constexpr unsigned long long MOD = 1000000007ULL;

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int t;
    std::cin >> t;
    while (t-- > 0) {
        unsigned long long n;
        std::cin >> n;
        // TODO: compute F(n) modulo MOD in O(log n) steps.
        unsigned long long answer = 0;
        std::cout << answer << '\n';
    }
    return 0;
}
