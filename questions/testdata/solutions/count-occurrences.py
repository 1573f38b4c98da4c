import sys
from bisect import bisect_left, bisect_right

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
a = list(map(int, data[2:2 + n]))
out = []
for x in map(int, data[2 + n:2 + n + q]):
    out.append(str(bisect_right(a, x) - bisect_left(a, x)))
print("\n".join(out))
