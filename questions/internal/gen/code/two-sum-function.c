#include <stdlib.h>

/* Returns the indices of the two numbers of nums that add up to target, in
   an array allocated with malloc (the caller frees it), and sets *returnSize
   to its length. */
int *twoSum(int *nums, int numsSize, int target, int *returnSize) {
    /* TODO: find i != j with nums[i] + nums[j] == target, and return an
       array of two ints holding i and j. */
    *returnSize = 0;
    return NULL;
}
