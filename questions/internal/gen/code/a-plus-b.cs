using System;

public class Program
{
    public static void Main()
    {
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        long a = long.Parse(tokens[0]);
        long b = long.Parse(tokens[1]);
        // TODO: compute the sum of a and b.
        long answer = 0;
        Console.WriteLine(answer);
    }
}
