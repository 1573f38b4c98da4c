import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is
            // divisible by 3, by 5 or by both.
            out.append(i).append('\n');
        }
        System.out.print(out);
    }
}
