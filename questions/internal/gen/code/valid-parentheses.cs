using System;
using System.Text;

public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int t = int.Parse(tokens[0]);
        var output = new StringBuilder();
        for (int k = 1; k <= t; k++)
        {
            string s = tokens[k];
            // TODO: decide whether s is balanced.
            bool balanced = false;
            output.Append(balanced ? "YES" : "NO").Append('\n');
        }
        Console.Write(output);
    }
}
