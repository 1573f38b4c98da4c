a, b = $stdin.read.split
# TODO: compute the length of the longest common subsequence of a and b.
answer = 0
puts answer
