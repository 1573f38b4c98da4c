def solve(n):
    return [n, n + 1]
