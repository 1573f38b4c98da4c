local n, target = io.read('n', 'n')
local a = {}
for k = 1, n do
  a[k] = io.read('n')
end
-- TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
local i, j = 0, 0
print(i .. ' ' .. j)
