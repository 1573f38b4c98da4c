#include <stdio.h>

#define MOD 1000000007ULL

int main(void) {
    int t;
    if (scanf("%d", &t) != 1) {
        return 1;
    }
    while (t-- > 0) {
        unsigned long long n;
        if (scanf("%llu", &n) != 1) {
            return 1;
        }
        /* TODO: compute F(n) modulo MOD in O(log n) steps. */
        unsigned long long answer = 0;
        printf("%llu\n", answer);
    }
    return 0;
}
