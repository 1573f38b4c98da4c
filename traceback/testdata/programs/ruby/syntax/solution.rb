def solve(n)
  n * (2
end
