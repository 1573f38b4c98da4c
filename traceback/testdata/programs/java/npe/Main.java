public class Main {
    public static void main(String[] args) {
        int[] driverResult = new Solution().solve(3);
        System.out.println(driverResult.length);
    }
}
