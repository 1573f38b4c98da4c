import sys


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    out = []
    for s in data[1:1 + t]:
        # TODO: decide whether s is balanced.
        balanced = False
        out.append("YES" if balanced else "NO")
    print("\n".join(out))


main()
