# Returns the indices [i, j] of the two numbers of nums that add up to target.
def two_sum(nums, target)
  # TODO: find i != j with nums[i] + nums[j] == target.
  []
end
