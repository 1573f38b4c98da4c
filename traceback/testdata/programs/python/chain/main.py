from solution import *

try:
    driver_answer = solve(3)
except ValueError as driver_error:
    raise RuntimeError("the driver could not use the answer") from driver_error
