using System;

public class Program
{
    public static void Main()
    {
        int[] driverCases = { 3, 0 };
        foreach (int driverCase in driverCases)
        {
            Console.WriteLine(new Solution().Solve(driverCase));
        }
    }
}
