#include <stdio.h>
#include <string.h>

static char a[2001], b[2001];

int main(void) {
    if (scanf("%2000s %2000s", a, b) != 2) {
        return 1;
    }
    /* TODO: compute the length of the longest common subsequence of a and b
       (strlen gives their lengths). */
    int answer = 0;
    printf("%d\n", answer);
    return 0;
}
