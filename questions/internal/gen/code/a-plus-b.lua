local a, b = io.read('n', 'n')
-- TODO: compute the sum of a and b.
local answer = 0
print(answer)
