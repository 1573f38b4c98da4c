local a = io.read('l'):match('%S+')
local b = io.read('l'):match('%S+')
-- TODO: compute the length of the longest common subsequence of a and b.
local answer = 0
print(answer)
