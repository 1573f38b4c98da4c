function solve(n)
  return n *
end
