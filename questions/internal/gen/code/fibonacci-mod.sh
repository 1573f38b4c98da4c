mod=1000000007
read -r t
for ((k = 0; k < t; k++)); do
  read -r n
  # TODO: compute F(n) modulo mod in O(log n) steps, reducing every product
  # modulo mod (arithmetic has 64 bits).
  answer=0
  echo "$answer"
done
