import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < t; k++) {
            String s = in.readLine().trim();
            // TODO: decide whether s is balanced.
            boolean balanced = false;
            out.append(balanced ? "YES" : "NO").append('\n');
        }
        System.out.print(out);
    }
}
