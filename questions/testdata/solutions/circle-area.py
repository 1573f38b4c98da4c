import math
import sys

data = sys.stdin.read().split()
t = int(data[0])
print("\n".join(f"{math.pi * r * r:.9f}" for r in map(float, data[1:1 + t])))
