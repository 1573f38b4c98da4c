import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = [int(x) for x in data[1:1 + n]]
    # TODO: find the largest sum of a non-empty contiguous part of a.
    best = 0
    print(best)


main()
