import math
table = [math.sqrt(x) for x in range(3)]
bad = table[5]

def solve(n):
    return n
