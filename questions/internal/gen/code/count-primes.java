import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    static final int LIMIT = 1000000;

    public static void main(String[] args) throws IOException {
        // TODO: sieve the primes up to LIMIT once, here.
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int q = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < q; k++) {
            int n = Integer.parseInt(in.readLine().trim());
            // TODO: count the primes p <= n.
            int answer = 0;
            out.append(answer).append('\n');
        }
        System.out.print(out);
    }
}
