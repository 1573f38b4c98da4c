local MOD = 1000000007

local t = io.read('n')
local out = {}
for k = 1, t do
  local n = io.read('n')
  -- TODO: compute F(n) modulo MOD in O(log n) steps, reducing every product
  -- modulo MOD (integers have 64 bits).
  local answer = 0
  out[k] = answer
end
print(table.concat(out, '\n'))
