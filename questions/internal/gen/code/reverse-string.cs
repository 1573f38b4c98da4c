using System;

public class Program
{
    public static void Main()
    {
        string s = Console.ReadLine().Trim();
        // TODO: reverse s.
        string answer = s;
        Console.WriteLine(answer);
    }
}
