#include <stdio.h>

int main(void) {
    int k;
    if (scanf("%d", &k) != 1) {
        return 1;
    }
    int c;
    while ((c = getchar()) != EOF) {
        /* TODO: split the text into words (runs of letters, ignoring case)
           and count them. */
    }
    /* TODO: print the k most frequent words, one "word count" per line. */
    return 0;
}
