using System;
using System.Text;

// Program reads the test, calls the learner's Solution.TwoSum (solution.cs)
// and prints the indices it returns.
public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(tokens[0]);
        int target = int.Parse(tokens[1]);
        int[] nums = new int[n];
        for (int k = 0; k < n; k++)
        {
            nums[k] = int.Parse(tokens[2 + k]);
        }
        int[] result = new Solution().TwoSum(nums, target);
        result = result == null ? new int[0] : (int[])result.Clone();
        // The indices may come in any order: print them sorted.
        Array.Sort(result);
        var output = new StringBuilder();
        for (int i = 0; i < result.Length; i++)
        {
            if (i > 0)
            {
                output.Append(' ');
            }
            output.Append(result[i]);
        }
        Console.WriteLine(output);
    }
}
