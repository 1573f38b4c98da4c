import sys

a, b = sys.stdin.read().split()
prev = [0] * (len(b) + 1)
for ca in a:
    cur = [0]
    left = 0
    for j, cb in enumerate(b):
        if ca == cb:
            left = prev[j] + 1
        elif prev[j + 1] > left:
            left = prev[j + 1]
        cur.append(left)
    prev = cur
print(prev[-1])
