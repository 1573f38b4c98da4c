def two_sum(nums, target)
  seen = {}
  nums.each_with_index do |v, j|
    i = seen[target - v]
    return [i, j] if i
    seen[v] ||= j
  end
  []
end
