import re
import sys
from collections import Counter

k = int(sys.stdin.readline())
counts = Counter(re.findall(r"[a-z]+", sys.stdin.read().lower()))
ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
print("\n".join(f"{word} {count}" for word, count in ranked[:k]))
