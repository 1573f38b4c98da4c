local n = io.read('n')
local best = io.read('n')
local cur = best
for _ = 2, n do
  local v = io.read('n')
  cur = math.max(v, cur + v)
  best = math.max(best, cur)
end
print(best)
