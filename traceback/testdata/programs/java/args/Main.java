public class Main {
    public static void main(String[] args) {
        int driverAnswer = new Solution().solve(3, "three");
        System.out.println(driverAnswer);
    }
}
