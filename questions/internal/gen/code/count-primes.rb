LIMIT = 1_000_000

data = $stdin.read.split.map(&:to_i)
q = data[0]
# TODO: sieve the primes up to LIMIT once, here.
out = data[1, q].map do |n|
  # TODO: count the primes p <= n.
  answer = 0
  answer
end
puts out.join("\n")
