#include <iostream>
#include <vector>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n;
    long long target;
    std::cin >> n >> target;
    std::vector<long long> a(n);
    for (auto& x : a) {
        std::cin >> x;
    }
    // TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
    int i = 0, j = 0;
    std::cout << i << ' ' << j << '\n';
    return 0;
}
