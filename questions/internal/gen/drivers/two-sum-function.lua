-- The driver reads the test, calls the learner's two_sum (solution.lua,
-- beside this file) and prints the indices it returns.
local dir = arg and arg[0] and arg[0]:match('^(.*/)') or ''
dofile(dir .. 'solution.lua')
if type(two_sum) ~= 'function' then
  io.stderr:write('solution.lua must define the function two_sum(nums, target)\n')
  os.exit(1)
end
local n, target = io.read('n', 'n')
local nums = {}
for k = 1, n do
  nums[k] = io.read('n')
end
local result = {}
for k, v in ipairs(two_sum(nums, target) or {}) do
  result[k] = v
end
-- The indices may come in any order: print them sorted.
table.sort(result)
print(table.concat(result, ' '))
