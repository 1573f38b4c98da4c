# The driver reads the test, calls the learner's two_sum (solution.rb) and
# prints the indices it returns.
require_relative 'solution'

unless respond_to?(:two_sum, true)
  abort 'solution.rb must define the method two_sum(nums, target)'
end
data = $stdin.read.split.map(&:to_i)
n, target = data[0], data[1]
nums = data[2, n]
result = Array(two_sum(nums, target)).sort
# The indices may come in any order: print them sorted.
puts result.join(' ')
