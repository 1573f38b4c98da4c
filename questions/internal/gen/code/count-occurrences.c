#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) {
        return 1;
    }
    long long *a = malloc(n * sizeof *a);
    for (int i = 0; i < n; i++) {
        if (scanf("%lld", &a[i]) != 1) {
            return 1;
        }
    }
    while (q-- > 0) {
        long long x;
        if (scanf("%lld", &x) != 1) {
            return 1;
        }
        /* TODO: count the occurrences of x in the sorted array a. */
        int count = 0;
        printf("%d\n", count);
    }
    free(a);
    return 0;
}
