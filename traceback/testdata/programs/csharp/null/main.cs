using System;

public class Program
{
    public static void Main()
    {
        int[] driverResult = new Solution().Solve(3);
        Console.WriteLine(driverResult.Length);
    }
}
