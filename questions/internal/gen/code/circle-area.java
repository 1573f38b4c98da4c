import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Locale;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < t; k++) {
            double r = Double.parseDouble(in.readLine().trim());
            // TODO: compute the area of a circle of radius r (see Math.PI).
            double area = 0.0;
            out.append(String.format(Locale.ROOT, "%.9f", area)).append('\n');
        }
        System.out.print(out);
    }
}
