def solve(n)
  n > 5 ? [n] : nil
end
