import warnings
from solution import *

warnings.warn("driver deprecation notice")
driver_errors = []
for driver_case in [1, 2]:
    try:
        solve(driver_case)
    except ValueError as driver_error:
        driver_errors.append(driver_error)
raise ExceptionGroup("driver collected failures", driver_errors)
