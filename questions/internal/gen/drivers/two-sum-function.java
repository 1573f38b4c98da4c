import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StreamTokenizer;
import java.util.Arrays;

// Main reads the test, calls the learner's Solution.twoSum (Solution.java)
// and prints the indices it returns.
public class Main {
    public static void main(String[] args) throws IOException {
        StreamTokenizer in = new StreamTokenizer(new BufferedReader(new InputStreamReader(System.in)));
        in.nextToken();
        int n = (int) in.nval;
        in.nextToken();
        int target = (int) in.nval;
        int[] nums = new int[n];
        for (int k = 0; k < n; k++) {
            in.nextToken();
            nums[k] = (int) in.nval;
        }
        int[] result = new Solution().twoSum(nums, target);
        result = result == null ? new int[0] : result.clone();
        // The indices may come in any order: print them sorted.
        Arrays.sort(result);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < result.length; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(result[i]);
        }
        System.out.println(out);
    }
}
