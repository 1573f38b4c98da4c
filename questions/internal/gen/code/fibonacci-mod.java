import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    static final long MOD = 1_000_000_007L;

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < t; k++) {
            long n = Long.parseLong(in.readLine().trim());
            // TODO: compute F(n) modulo MOD in O(log n) steps.
            long answer = 0;
            out.append(answer).append('\n');
        }
        System.out.print(out);
    }
}
