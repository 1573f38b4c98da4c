require_relative 'solution'

driver_cases = [3, 0]
driver_cases.each do |driver_case|
  puts solve(driver_case)
end
