read -r n target
read -ra a
# TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
i=0
j=0
echo "$i $j"
