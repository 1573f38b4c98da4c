using System.Collections.Generic;

public class Solution
{
    public int[] TwoSum(int[] nums, int target)
    {
        var seen = new Dictionary<int, int>();
        for (int j = 0; j < nums.Length; j++)
        {
            int i;
            if (seen.TryGetValue(target - nums[j], out i))
            {
                return new int[] { i, j };
            }
            if (!seen.ContainsKey(nums[j]))
            {
                seen[nums[j]] = j;
            }
        }
        return new int[0];
    }
}
