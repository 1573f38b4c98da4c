import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        long target = Long.parseLong(st.nextToken());
        long[] a = new long[n];
        st = new StringTokenizer(in.readLine());
        for (int k = 0; k < n; k++) {
            a[k] = Long.parseLong(st.nextToken());
        }
        // TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
        int i = 0, j = 0;
        System.out.println(i + " " + j);
    }
}
