using System;
using System.Text;

public class Program
{
    static bool Balanced(string s)
    {
        var stack = new char[s.Length];
        int top = 0;
        foreach (char c in s)
        {
            switch (c)
            {
                case '(': stack[top++] = ')'; break;
                case '[': stack[top++] = ']'; break;
                case '{': stack[top++] = '}'; break;
                default:
                    if (top == 0 || stack[--top] != c)
                    {
                        return false;
                    }
                    break;
            }
        }
        return top == 0;
    }

    public static void Main()
    {
        string[] t = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries);
        int count = int.Parse(t[0]);
        var output = new StringBuilder();
        for (int k = 1; k <= count; k++)
        {
            output.Append(Balanced(t[k]) ? "YES" : "NO").Append('\n');
        }
        Console.Write(output);
    }
}
