local close = { ['('] = ')', ['['] = ']', ['{'] = '}' }

local function balanced(s)
  local stack, top = {}, 0
  for k = 1, #s do
    local c = s:sub(k, k)
    local want = close[c]
    if want then
      top = top + 1
      stack[top] = want
    elseif top == 0 or stack[top] ~= c then
      return false
    else
      top = top - 1
    end
  end
  return top == 0
end

local words = io.read('a'):gmatch('%S+')
local t = tonumber(words())
local out = {}
for k = 1, t do
  out[k] = balanced(words()) and 'YES' or 'NO'
end
print(table.concat(out, '\n'))
