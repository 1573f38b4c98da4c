local s = io.read('l'):match('^%s*(.-)%s*$')
-- TODO: reverse s.
local answer = s
print(answer)
