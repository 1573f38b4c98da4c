public class Main {
    public static void main(String[] args) {
        int[] driverCases = {3, 0};
        for (int driverCase : driverCases) {
            System.out.println(new Solution().solve(driverCase));
        }
    }
}
