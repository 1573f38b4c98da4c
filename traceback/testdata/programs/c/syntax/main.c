#include <stdio.h>

int solve(int n);

int main(void) {
    int driver_answer = solve(3);
    printf("%d\n", driver_answer);
    return 0;
}
