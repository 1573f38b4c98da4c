using System;
using System.Collections.Generic;

public class Program
{
    public static void Main()
    {
        int k = int.Parse(Console.ReadLine().Trim());
        string text = Console.In.ReadToEnd();
        // TODO: count the words of text (runs of letters, ignoring case) in
        // counts and print the k most frequent ones, one "word count" per line.
        var counts = new Dictionary<string, int>();
        int printed = 0;
        foreach (var entry in counts)
        {
            if (printed++ == k)
            {
                break;
            }
            Console.WriteLine(entry.Key + " " + entry.Value);
        }
    }
}
