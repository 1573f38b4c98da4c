#include <assert.h>
#include <stdio.h>

int solve(int n);

int main(void) {
    int driver_answer = solve(3);
    assert(driver_answer >= 0 && "driver expects a count");
    printf("%d\n", driver_answer);
    return 0;
}
