#include <stdlib.h>

/* Sort the indices by value, then close in from both ends. */

static const int *values;

static int by_value(const void *a, const void *b) {
    int x = values[*(const int *)a], y = values[*(const int *)b];
    return (x > y) - (x < y);
}

int *twoSum(int *nums, int numsSize, int target, int *returnSize) {
    int *order = malloc((size_t)numsSize * sizeof *order);
    for (int k = 0; k < numsSize; k++) {
        order[k] = k;
    }
    values = nums;
    qsort(order, (size_t)numsSize, sizeof *order, by_value);
    int *answer = malloc(2 * sizeof *answer);
    *returnSize = 0;
    for (int lo = 0, hi = numsSize - 1; lo < hi;) {
        int sum = nums[order[lo]] + nums[order[hi]];
        if (sum == target) {
            answer[0] = order[lo];
            answer[1] = order[hi];
            *returnSize = 2;
            break;
        }
        if (sum < target) {
            lo++;
        } else {
            hi--;
        }
    }
    free(order);
    return answer;
}
