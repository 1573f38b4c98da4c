import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    static boolean balanced(String s) {
        char[] stack = new char[s.length()];
        int top = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '(': stack[top++] = ')'; break;
                case '[': stack[top++] = ']'; break;
                case '{': stack[top++] = '}'; break;
                default:
                    if (top == 0 || stack[--top] != c) {
                        return false;
                    }
            }
        }
        return top == 0;
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < t; k++) {
            out.append(balanced(in.readLine().trim()) ? "YES" : "NO").append('\n');
        }
        System.out.print(out);
    }
}
