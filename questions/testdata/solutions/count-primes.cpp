#include <cstdio>
#include <vector>

int main() {
    const int limit = 1000000;
    std::vector<bool> composite(limit + 1, false);
    std::vector<int> pi(limit + 1, 0);
    for (int i = 2; i <= limit; i++) {
        pi[i] = pi[i - 1];
        if (!composite[i]) {
            pi[i]++;
            for (long long j = 1LL * i * i; j <= limit; j += i) composite[j] = true;
        }
    }
    int q;
    if (std::scanf("%d", &q) != 1) return 1;
    while (q--) {
        int n;
        if (std::scanf("%d", &n) != 1) return 1;
        std::printf("%d\n", pi[n]);
    }
}
