local t = io.read('n')
local out = {}
for k = 1, t do
  local s = io.read('l')
  while s and not s:match('%S') do
    s = io.read('l')
  end
  s = s:match('%S+')
  -- TODO: decide whether s is balanced.
  local balanced = false
  out[k] = balanced and 'YES' or 'NO'
end
print(table.concat(out, '\n'))
