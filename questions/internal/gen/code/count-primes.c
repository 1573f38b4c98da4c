#include <stdio.h>

#define LIMIT 1000000

int main(void) {
    /* TODO: sieve the primes up to LIMIT once, here. */
    int q;
    if (scanf("%d", &q) != 1) {
        return 1;
    }
    while (q-- > 0) {
        int n;
        if (scanf("%d", &n) != 1) {
            return 1;
        }
        /* TODO: count the primes p <= n. */
        int answer = 0;
        printf("%d\n", answer);
    }
    return 0;
}
