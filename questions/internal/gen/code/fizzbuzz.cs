using System;
using System.Text;

public class Program
{
    public static void Main()
    {
        int n = int.Parse(Console.ReadLine().Trim());
        var output = new StringBuilder();
        for (int i = 1; i <= n; i++)
        {
            // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
            // divisible by 3, by 5 or by both.
            output.Append(i).Append('\n');
        }
        Console.Write(output);
    }
}
