read -r k
text=$(cat)
# TODO: count the words of text (runs of letters, ignoring case) in counts and
# print the k most frequent ones, one "word count" per line.
declare -A counts=()
printed=0
for word in "${!counts[@]}"; do
  ((printed == k)) && break
  echo "$word ${counts[$word]}"
  ((printed++))
done
