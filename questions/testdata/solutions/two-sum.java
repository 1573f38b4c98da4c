import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import java.util.StringTokenizer;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        long target = Long.parseLong(st.nextToken());
        st = new StringTokenizer(in.readLine());
        Map<Long, Integer> seen = new HashMap<>(2 * n);
        for (int j = 0; j < n; j++) {
            long v = Long.parseLong(st.nextToken());
            Integer i = seen.get(target - v);
            if (i != null) {
                System.out.println((i + 1) + " " + (j + 1));
                return;
            }
            seen.putIfAbsent(v, j);
        }
    }
}
