#include <cmath>
#include <cstdio>

int main() {
    const double pi = std::acos(-1.0);
    int t;
    if (std::scanf("%d", &t) != 1) return 1;
    while (t--) {
        double r;
        if (std::scanf("%lf", &r) != 1) return 1;
        std::printf("%.9f\n", pi * r * r);
    }
}
