read -r a b
# TODO: compute the sum of a and b.
answer=0
echo "$answer"
