import sys


def main():
    s = sys.stdin.readline().strip()
    # TODO: reverse s.
    answer = s
    print(answer)


main()
