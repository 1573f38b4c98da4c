import sys

data = sys.stdin.buffer.read().split()
n, target = int(data[0]), int(data[1])
seen = {}
for j in range(n):
    v = int(data[2 + j])
    i = seen.get(target - v)
    if i is not None:
        print(i + 1, j + 1)
        break
    seen.setdefault(v, j)
