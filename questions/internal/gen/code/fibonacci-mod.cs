using System;
using System.Text;

public class Program
{
    const long Mod = 1000000007;

    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int t = int.Parse(tokens[0]);
        var output = new StringBuilder();
        for (int k = 1; k <= t; k++)
        {
            long n = long.Parse(tokens[k]);
            // TODO: compute F(n) modulo Mod in O(log n) steps, reducing every
            // product modulo Mod.
            long answer = 0;
            output.Append(answer).Append('\n');
        }
        Console.Write(output);
    }
}
