using System;

public class Program
{
    public static void Main()
    {
        string[] t = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(t[0]);
        long best = long.Parse(t[1]), cur = best;
        for (int i = 2; i <= n; i++)
        {
            long v = long.Parse(t[i]);
            cur = Math.Max(v, cur + v);
            best = Math.Max(best, cur);
        }
        Console.WriteLine(best);
    }
}
