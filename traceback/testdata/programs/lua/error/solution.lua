function solve(n)
  if n == 0 then
    error('n must be positive')
  end
  return 10 // n
end
