read -r n q
read -ra a
read -ra queries
for x in "${queries[@]}"; do
  # TODO: count the occurrences of x in the sorted array a.
  count=0
  echo "$count"
done
