limit=1000000
read -r q
# TODO: sieve the primes up to limit once, here.
for ((k = 0; k < q; k++)); do
  read -r n
  # TODO: count the primes p <= n.
  answer=0
  echo "$answer"
done
