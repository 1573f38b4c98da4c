read -r a
read -r b
# TODO: compute the length of the longest common subsequence of a and b.
answer=0
echo "$answer"
