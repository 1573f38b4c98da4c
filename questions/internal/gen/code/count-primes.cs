using System;
using System.Text;

public class Program
{
    const int Limit = 1000000;

    public static void Main()
    {
        // TODO: sieve the primes up to Limit once, here.
        string[] tokens = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int q = int.Parse(tokens[0]);
        var output = new StringBuilder();
        for (int k = 1; k <= q; k++)
        {
            int n = int.Parse(tokens[k]);
            // TODO: count the primes p <= n.
            int answer = 0;
            output.Append(answer).Append('\n');
        }
        Console.Write(output);
    }
}
