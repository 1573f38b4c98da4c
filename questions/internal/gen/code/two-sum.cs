using System;

public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(tokens[0]);
        long target = long.Parse(tokens[1]);
        long[] a = new long[n];
        for (int k = 0; k < n; k++)
        {
            a[k] = long.Parse(tokens[2 + k]);
        }
        // TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
        int i = 0, j = 0;
        Console.WriteLine(i + " " + j);
    }
}
