import math
import sys


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    out = []
    for r in map(float, data[1:1 + t]):
        # TODO: compute the area of a circle of radius r (see math.pi).
        area = 0.0
        out.append(f"{area:.9f}")
    print("\n".join(out))


main()
