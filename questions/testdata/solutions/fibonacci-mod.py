import sys

MOD = 10**9 + 7


def fib(n):
    """Returns (F(n), F(n+1)) modulo MOD by fast doubling."""
    a, b = 0, 1
    for bit in bin(n)[2:]:
        c = a * (2 * b - a) % MOD
        d = (a * a + b * b) % MOD
        a, b = (d, (c + d) % MOD) if bit == "1" else (c, d)
    return a, b


data = sys.stdin.read().split()
t = int(data[0])
print("\n".join(str(fib(int(n))[0]) for n in data[1:1 + t]))
