#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int n;
    if (scanf("%d", &n) != 1) {
        return 1;
    }
    long long *a = malloc(n * sizeof *a);
    for (int i = 0; i < n; i++) {
        if (scanf("%lld", &a[i]) != 1) {
            return 1;
        }
    }
    /* TODO: find the largest sum of a non-empty contiguous part of a. */
    long long best = 0;
    printf("%lld\n", best);
    free(a);
    return 0;
}
