# The driver reads the test, calls the learner's two_sum (solution.sh, beside
# this file) and prints the indices it prints.
source "$(dirname "$0")/solution.sh"

if ! declare -F two_sum >/dev/null; then
  echo 'solution.sh must define the function two_sum' >&2
  exit 1
fi
read -r n target
read -ra nums
result=$(two_sum "$target")
# The indices may come in any order: print them sorted.
read -ra indices <<<"$result"
if ((${#indices[@]} == 2 && indices[0] > indices[1])); then
  indices=("${indices[1]}" "${indices[0]}")
fi
echo "${indices[*]}"
