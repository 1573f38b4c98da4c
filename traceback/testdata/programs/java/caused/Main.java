public class Main {
    public static void main(String[] args) {
        try {
            driverRun();
        } catch (IllegalStateException driverError) {
            throw new RuntimeException("driver gave up", driverError);
        }
    }

    static void driverRun() {
        Runnable driverTask = () -> System.out.println(new Solution().solve(-1));
        driverTask.run();
    }
}
