function two_sum(nums, target)
  local seen = {}
  for j, v in ipairs(nums) do
    local i = seen[target - v]
    if i then
      return { i - 1, j - 1 }
    end
    if not seen[v] then
      seen[v] = j
    end
  end
  return {}
end
