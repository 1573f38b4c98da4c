def solve(n)
  raise ArgumentError, 'n must be positive' if n.zero?

  10 / n
end
