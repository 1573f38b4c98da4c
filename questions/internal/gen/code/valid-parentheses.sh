read -r t
for ((k = 0; k < t; k++)); do
  read -r s
  # TODO: decide whether s is balanced.
  balanced=0
  if ((balanced)); then echo YES; else echo NO; fi
done
