public class Solution
{
    public int[] Solve(int n)
    {
        return n > 5 ? new int[] { n } : null;
    }
}
