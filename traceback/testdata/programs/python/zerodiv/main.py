from solution import *

driver_cases = [3, 0]
for driver_case in driver_cases:
    driver_answer = solve(driver_case)
    print(driver_answer)
