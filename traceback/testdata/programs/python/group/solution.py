def solve(n):
    raise ValueError("learner value %d" % n)
