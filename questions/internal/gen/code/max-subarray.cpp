#include <iostream>
#include <vector>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n;
    std::cin >> n;
    std::vector<long long> a(n);
    for (auto& x : a) {
        std::cin >> x;
    }
    // TODO: find the largest sum of a non-empty contiguous part of a.
    long long best = 0;
    std::cout << best << '\n';
    return 0;
}
