using System;

public class Program
{
    public static void Main()
    {
        string[] t = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        Console.WriteLine(long.Parse(t[0]) + long.Parse(t[1]));
    }
}
