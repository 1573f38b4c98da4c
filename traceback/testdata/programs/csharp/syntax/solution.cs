public class Solution
{
    public int Solve(int n)
    {
        return n * ;
    }
}
