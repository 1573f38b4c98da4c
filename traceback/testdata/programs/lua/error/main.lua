dofile('solution.lua')

local driver_cases = { 3, 0 }
for _, driver_case in ipairs(driver_cases) do
  print(solve(driver_case))
end
