read -r t
for ((k = 0; k < t; k++)); do
  read -r r
  # TODO: compute the area of a circle of radius r (bash has no floating
  # point: awk or bc do).
  area=0
  printf '%.9f\n' "$area"
done
