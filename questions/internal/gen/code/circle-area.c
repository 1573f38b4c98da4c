#include <math.h>
#include <stdio.h>

int main(void) {
    int t;
    if (scanf("%d", &t) != 1) {
        return 1;
    }
    while (t-- > 0) {
        double r;
        if (scanf("%lf", &r) != 1) {
            return 1;
        }
        /* TODO: compute the area of a circle of radius r (acos(-1.0) is pi). */
        double area = 0.0;
        printf("%.9f\n", area);
    }
    return 0;
}
