local n, q = io.read('n', 'n')
local a = {}
for i = 1, n do
  a[i] = io.read('n')
end
local out = {}
for k = 1, q do
  local x = io.read('n')
  -- TODO: count the occurrences of x in the sorted array a.
  local count = 0
  out[k] = count
end
print(table.concat(out, '\n'))
