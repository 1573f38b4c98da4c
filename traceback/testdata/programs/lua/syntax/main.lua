dofile('solution.lua')

local driver_answer = solve(3)
print(driver_answer)
