import sys


def main():
    a, b = map(int, sys.stdin.read().split())
    # TODO: compute the sum of a and b.
    answer = 0
    print(answer)


main()
