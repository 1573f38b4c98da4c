import sys


def main():
    n = int(sys.stdin.readline())
    for i in range(1, n + 1):
        # TODO: print Fizz, Buzz or FizzBuzz instead of i when i is divisible
        # by 3, by 5 or by both.
        print(i)


main()
