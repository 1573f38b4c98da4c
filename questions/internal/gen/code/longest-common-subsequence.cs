using System;

public class Program
{
    public static void Main()
    {
        string a = Console.ReadLine().Trim();
        string b = Console.ReadLine().Trim();
        // TODO: compute the length of the longest common subsequence of a and b.
        int answer = 0;
        Console.WriteLine(answer);
    }
}
