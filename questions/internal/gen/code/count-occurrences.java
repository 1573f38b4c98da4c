import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        int q = Integer.parseInt(st.nextToken());
        long[] a = new long[n];
        st = new StringTokenizer(in.readLine());
        for (int i = 0; i < n; i++) {
            a[i] = Long.parseLong(st.nextToken());
        }
        st = new StringTokenizer(in.readLine());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < q; k++) {
            long x = Long.parseLong(st.nextToken());
            // TODO: count the occurrences of x in the sorted array a.
            int count = 0;
            out.append(count).append('\n');
        }
        System.out.print(out);
    }
}
