import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
best = cur = int(data[1])
for v in map(int, data[2:1 + n]):
    cur = v if cur < 0 else cur + v
    if cur > best:
        best = cur
print(best)
