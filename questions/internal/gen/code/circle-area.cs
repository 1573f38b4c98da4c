using System;
using System.Globalization;
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
            double r = double.Parse(tokens[k], CultureInfo.InvariantCulture);
            // TODO: compute the area of a circle of radius r (see Math.PI).
            double area = 0;
            output.Append(area.ToString("F9", CultureInfo.InvariantCulture)).Append('\n');
        }
        Console.Write(output);
    }
}
