import os
import sys

# The learner's solution.py lies beside this file. python3 -I leaves this
# directory off sys.path, so put it there; and write no __pycache__.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from solution import *  # noqa: E402,F401,F403


def _main():
    function = globals().get("two_sum")
    if not callable(function):
        sys.exit("solution.py must define the function two_sum(nums, target)")
    data = sys.stdin.buffer.read().split()
    n, target = int(data[0]), int(data[1])
    nums = [int(x) for x in data[2:2 + n]]
    result = function(nums, target)
    # The indices may come in any order: print them sorted.
    print(*sorted(result or []))


_main()
