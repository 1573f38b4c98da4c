#include <iostream>
#include <vector>

int main() {
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    int n, q;
    std::cin >> n >> q;
    std::vector<long long> a(n);
    for (auto& x : a) {
        std::cin >> x;
    }
    while (q-- > 0) {
        long long x;
        std::cin >> x;
        // TODO: count the occurrences of x in the sorted array a.
        int count = 0;
        std::cout << count << '\n';
    }
    return 0;
}
