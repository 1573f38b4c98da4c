solve_it() {
  echo $(($1 * 2))
}
