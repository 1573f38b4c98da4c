def solve(n):
    return 10 // n
