a, b = $stdin.read.split.map(&:to_i)
# TODO: compute the sum of a and b.
answer = 0
puts answer
