import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int k = Integer.parseInt(in.readLine().trim());
        Map<String, Integer> counts = new HashMap<>();
        int c;
        while ((c = in.read()) != -1) {
            // TODO: split the text into words (runs of letters, ignoring case)
            // and count them in counts.
        }
        // TODO: print the k most frequent words, one "word count" per line.
    }
}
