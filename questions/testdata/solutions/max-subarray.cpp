#include <algorithm>
#include <iostream>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n;
    std::cin >> n;
    long long best, cur;
    std::cin >> cur;
    best = cur;
    for (int i = 1; i < n; i++) {
        long long v;
        std::cin >> v;
        cur = std::max(v, cur + v);
        best = std::max(best, cur);
    }
    std::cout << best << '\n';
}
