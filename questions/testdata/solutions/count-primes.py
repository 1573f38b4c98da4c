import sys
from itertools import accumulate

LIMIT = 10**6
sieve = bytearray([1]) * (LIMIT + 1)
sieve[0] = sieve[1] = 0
for i in range(2, int(LIMIT**0.5) + 1):
    if sieve[i]:
        sieve[i * i::i] = bytes(len(range(i * i, LIMIT + 1, i)))
pi = list(accumulate(sieve))

data = sys.stdin.read().split()
q = int(data[0])
print("\n".join(str(pi[int(n)]) for n in data[1:1 + q]))
