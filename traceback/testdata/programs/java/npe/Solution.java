class Solution {
    int[] solve(int n) {
        return null;
    }
}
