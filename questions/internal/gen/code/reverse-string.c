#include <stdio.h>

static char s[100001];

int main(void) {
    if (scanf("%100000s", s) != 1) {
        return 1;
    }
    /* TODO: reverse s. */
    printf("%s\n", s);
    return 0;
}
