using System;
using System.Collections.Generic;

public class Program
{
    public static void Main()
    {
        string[] t = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int n = int.Parse(t[0]);
        long target = long.Parse(t[1]);
        var seen = new Dictionary<long, int>();
        for (int j = 0; j < n; j++)
        {
            long v = long.Parse(t[2 + j]);
            int i;
            if (seen.TryGetValue(target - v, out i))
            {
                Console.WriteLine((i + 1) + " " + (j + 1));
                return;
            }
            if (!seen.ContainsKey(v))
            {
                seen[v] = j;
            }
        }
    }
}
