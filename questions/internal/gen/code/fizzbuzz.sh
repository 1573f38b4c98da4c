read -r n
for ((i = 1; i <= n; i++)); do
  # TODO: print Fizz, Buzz or FizzBuzz instead of i when i is divisible by 3,
  # by 5 or by both.
  echo "$i"
done
