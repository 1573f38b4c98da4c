read -r n
read -ra a
# TODO: find the largest sum of a non-empty contiguous part of a.
best=0
echo "$best"
