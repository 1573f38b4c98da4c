solve() {
  local n=${1:?n is required}
  ((n > 0)) || { echo "n must be positive" >&2; exit 2; }
  echo $((10 / n))
}
