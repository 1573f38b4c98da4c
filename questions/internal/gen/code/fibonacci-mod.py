import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    out = []
    for n in map(int, data[1:1 + t]):
        # TODO: compute F(n) modulo MOD in O(log n) steps.
        answer = 0
        out.append(str(answer))
    print("\n".join(out))


main()
