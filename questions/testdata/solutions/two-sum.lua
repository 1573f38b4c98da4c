local n, target = io.read('n', 'n')
local seen = {}
for j = 1, n do
  local v = io.read('n')
  local i = seen[target - v]
  if i then
    print(i .. ' ' .. j)
    break
  end
  if not seen[v] then
    seen[v] = j
  end
end
