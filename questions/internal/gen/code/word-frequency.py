import sys


def main():
    k = int(sys.stdin.readline())
    text = sys.stdin.read()
    # TODO: count the words of text (runs of letters, ignoring case) and print
    # the k most frequent ones, one "word count" per line.
    counts = {}
    for word, count in list(counts.items())[:k]:
        print(word, count)


main()
