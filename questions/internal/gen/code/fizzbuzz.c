#include <stdio.h>

int main(void) {
    int n;
    if (scanf("%d", &n) != 1) {
        return 1;
    }
    for (int i = 1; i <= n; i++) {
        /* TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
           divisible by 3, by 5 or by both. */
        printf("%d\n", i);
    }
    return 0;
}
