read -r s
# TODO: reverse s.
answer=$s
echo "$answer"
