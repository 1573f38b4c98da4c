local n = io.read('n')
local a = {}
for i = 1, n do
  a[i] = io.read('n')
end
-- TODO: find the largest sum of a non-empty contiguous part of a.
local best = 0
print(best)
