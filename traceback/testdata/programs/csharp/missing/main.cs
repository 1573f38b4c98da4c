using System;

public class Program
{
    public static void Main()
    {
        int driverAnswer = new Solution().Solve(3);
        Console.WriteLine(driverAnswer);
    }
}
