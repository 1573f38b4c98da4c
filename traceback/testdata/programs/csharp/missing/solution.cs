public class Solution
{
    public int SolveIt(int n)
    {
        return n * 2;
    }
}
