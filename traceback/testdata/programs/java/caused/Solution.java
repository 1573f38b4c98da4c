class Solution {
    int solve(int n) {
        try {
            return helper(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("learner wrapped it", e);
        }
    }

    private int helper(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative n: " + n);
        }
        return n;
    }
}
