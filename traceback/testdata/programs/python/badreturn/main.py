from solution import *

driver_words = solve(3)
print(" ".join(driver_words) + driver_suffix_missing_name_check)
