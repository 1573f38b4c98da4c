def two_sum(nums, target):
    seen = {}
    for j, v in enumerate(nums):
        i = seen.get(target - v)
        if i is not None:
            return [i, j]
        seen.setdefault(v, j)
    return []
