def solve(n):
    try:
        return {}["missing"]
    except KeyError:
        raise ValueError("bad value for n=%d" % n)
