using System;
using System.Collections.Generic;

public class Solution
{
    // Returns the indices of the two numbers of nums that add up to target.
    public int[] TwoSum(int[] nums, int target)
    {
        // TODO: find i != j with nums[i] + nums[j] == target, and return
        // new int[] { i, j }.
        return new int[0];
    }
}
