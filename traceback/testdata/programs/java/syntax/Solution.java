class Solution {
    int solve(int n) {
        return n * 2
    }
}
