#include <algorithm>
#include <iostream>
#include <vector>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n, q;
    std::cin >> n >> q;
    std::vector<long long> a(n);
    for (auto& x : a) std::cin >> x;
    while (q--) {
        long long x;
        std::cin >> x;
        auto range = std::equal_range(a.begin(), a.end(), x);
        std::cout << range.second - range.first << '\n';
    }
}
