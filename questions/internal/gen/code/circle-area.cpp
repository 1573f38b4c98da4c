#include <cmath>
#include <cstdio>
#include <iostream>

int main() {
    int t;
    std::cin >> t;
    while (t-- > 0) {
        double r;
        std::cin >> r;
        // TODO: compute the area of a circle of radius r (std::acos(-1.0) is pi).
        double area = 0.0;
        std::printf("%.9f\n", area);
    }
    return 0;
}
