data = $stdin.read.split.map(&:to_i)
n = data[0]
a = data[1, n]
# TODO: find the largest sum of a non-empty contiguous part of a.
best = 0
puts best
