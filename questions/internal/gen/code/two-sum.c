#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int n;
    long long target;
    if (scanf("%d %lld", &n, &target) != 2) {
        return 1;
    }
    long long *a = malloc(n * sizeof *a);
    for (int k = 0; k < n; k++) {
        if (scanf("%lld", &a[k]) != 1) {
            return 1;
        }
    }
    /* TODO: find the positions i < j (1-based) with a[i] + a[j] == target. */
    int i = 0, j = 0;
    printf("%d %d\n", i, j);
    free(a);
    return 0;
}
