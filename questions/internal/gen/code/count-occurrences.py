import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    a = [int(x) for x in data[2:2 + n]]
    queries = [int(x) for x in data[2 + n:2 + n + q]]
    out = []
    for x in queries:
        # TODO: count the occurrences of x in the sorted list a.
        count = 0
        out.append(str(count))
    print("\n".join(out))


main()
