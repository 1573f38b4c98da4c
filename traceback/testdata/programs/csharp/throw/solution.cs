using System;

public class Solution
{
    public int Solve(int n)
    {
        if (n == 0)
        {
            throw new ArgumentException("n must be positive");
        }
        return 10 / n;
    }
}
