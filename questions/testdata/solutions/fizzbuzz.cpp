#include <cstdio>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    for (int i = 1; i <= n; i++) {
        if (i % 15 == 0) std::puts("FizzBuzz");
        else if (i % 3 == 0) std::puts("Fizz");
        else if (i % 5 == 0) std::puts("Buzz");
        else std::printf("%d\n", i);
    }
}
