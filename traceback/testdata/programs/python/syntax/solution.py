def solve(n):
    return (n +
