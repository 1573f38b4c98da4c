import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        StringTokenizer st = new StringTokenizer(in.readLine());
        long best = Long.parseLong(st.nextToken());
        long cur = best;
        for (int i = 1; i < n; i++) {
            long v = Long.parseLong(st.nextToken());
            cur = Math.max(v, cur + v);
            best = Math.max(best, cur);
        }
        System.out.println(best);
    }
}
