using System;
using System.Text;

public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(tokens[0]);
        int q = int.Parse(tokens[1]);
        long[] a = new long[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = long.Parse(tokens[2 + i]);
        }
        var output = new StringBuilder();
        for (int k = 0; k < q; k++)
        {
            long x = long.Parse(tokens[2 + n + k]);
            // TODO: count the occurrences of x in the sorted array a.
            int count = 0;
            output.Append(count).Append('\n');
        }
        Console.Write(output);
    }
}
