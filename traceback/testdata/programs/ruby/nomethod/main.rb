require_relative 'solution'

driver_result = solve(3)
puts driver_result.join(' ')
