solve() {
  if (($1 > 0)); then
    echo $(($1 * 2))
}
