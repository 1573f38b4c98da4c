import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, target = int(data[0]), int(data[1])
    a = [int(x) for x in data[2:2 + n]]
    # TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
    i, j = 0, 0
    print(i, j)


main()
