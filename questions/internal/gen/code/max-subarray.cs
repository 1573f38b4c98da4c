using System;

public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(tokens[0]);
        long[] a = new long[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = long.Parse(tokens[1 + i]);
        }
        // TODO: find the largest sum of a non-empty contiguous part of a.
        long best = 0;
        Console.WriteLine(best);
    }
}
