#include <iostream>

int main() {
    int n;
    std::cin >> n;
    for (int i = 1; i <= n; i++) {
        // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
        // divisible by 3, by 5 or by both.
        std::cout << i << '\n';
    }
    return 0;
}
