#include <iostream>
#include <unordered_map>
#include <vector>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n;
    long long target;
    std::cin >> n >> target;
    std::vector<long long> a(n);
    for (auto& x : a) std::cin >> x;
    std::unordered_map<long long, int> seen;
    seen.reserve(2 * n);
    for (int j = 0; j < n; j++) {
        auto it = seen.find(target - a[j]);
        if (it != seen.end()) {
            std::cout << it->second + 1 << ' ' << j + 1 << '\n';
            return 0;
        }
        seen.emplace(a[j], j);
    }
}
