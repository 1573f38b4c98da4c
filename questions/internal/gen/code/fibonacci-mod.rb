MOD = 1_000_000_007

data = $stdin.read.split.map(&:to_i)
t = data[0]
out = data[1, t].map do |n|
  # TODO: compute F(n) modulo MOD in O(log n) steps.
  answer = 0
  answer
end
puts out.join("\n")
