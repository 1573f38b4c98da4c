import sys


def main():
    data = sys.stdin.read().split()
    q = int(data[0])
    out = []
    for n in map(int, data[1:1 + q]):
        # TODO: count the primes p <= n (precompute them once, before the
        # loop, with a sieve).
        answer = 0
        out.append(str(answer))
    print("\n".join(out))


main()
