#include <stdio.h>

static char s[300001];

int main(void) {
    int t;
    if (scanf("%d", &t) != 1) {
        return 1;
    }
    while (t-- > 0) {
        if (scanf("%300000s", s) != 1) {
            return 1;
        }
        /* TODO: decide whether s is balanced. */
        int balanced = 0;
        puts(balanced ? "YES" : "NO");
    }
    return 0;
}
