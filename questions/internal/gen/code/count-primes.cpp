#include <iostream>

constexpr int LIMIT = 1000000;

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    // TODO: sieve the primes up to LIMIT once, here.
    int q;
    std::cin >> q;
    while (q-- > 0) {
        int n;
        std::cin >> n;
        // TODO: count the primes p <= n.
        int answer = 0;
        std::cout << answer << '\n';
    }
    return 0;
}
