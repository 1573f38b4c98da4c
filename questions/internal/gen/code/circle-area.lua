local t = io.read('n')
local out = {}
for k = 1, t do
  local r = io.read('n')
  -- TODO: compute the area of a circle of radius r (see math.pi).
  local area = 0
  out[k] = string.format('%.9f', area)
end
print(table.concat(out, '\n'))
