#include <array>
#include <iostream>

using u64 = unsigned long long;
using Matrix = std::array<u64, 4>;  // row-major 2x2
const u64 MOD = 1000000007ULL;

Matrix mul(const Matrix& x, const Matrix& y) {
    return {(x[0] * y[0] + x[1] * y[2]) % MOD, (x[0] * y[1] + x[1] * y[3]) % MOD,
            (x[2] * y[0] + x[3] * y[2]) % MOD, (x[2] * y[1] + x[3] * y[3]) % MOD};
}

int main() {
    int t;
    std::cin >> t;
    while (t--) {
        u64 n;
        std::cin >> n;
        Matrix result = {1, 0, 0, 1}, base = {1, 1, 1, 0};
        for (; n > 0; n >>= 1) {
            if (n & 1) result = mul(result, base);
            base = mul(base, base);
        }
        std::cout << result[1] << '\n';  // [[F(n+1), F(n)], [F(n), F(n-1)]]
    }
}
