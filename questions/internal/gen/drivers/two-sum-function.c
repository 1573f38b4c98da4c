#include <stdio.h>
#include <stdlib.h>

/* The learner's function, in solution.c. */
int *twoSum(int *nums, int numsSize, int target, int *returnSize);

int main(void) {
    int n, target;
    if (scanf("%d %d", &n, &target) != 2) {
        return 1;
    }
    int *nums = malloc((size_t)n * sizeof *nums);
    if (nums == NULL) {
        return 1;
    }
    for (int k = 0; k < n; k++) {
        if (scanf("%d", &nums[k]) != 1) {
            return 1;
        }
    }
    int size = 0;
    int *result = twoSum(nums, n, target, &size);
    if (result == NULL) {
        size = 0;
    }
    /* The indices may come in any order: print them sorted. */
    for (int i = 1; i < size; i++) {
        for (int j = i; j > 0 && result[j - 1] > result[j]; j--) {
            int t = result[j];
            result[j] = result[j - 1];
            result[j - 1] = t;
        }
    }
    for (int i = 0; i < size; i++) {
        printf("%s%d", i > 0 ? " " : "", result[i]);
    }
    printf("\n");
    free(result);
    free(nums);
    return 0;
}
