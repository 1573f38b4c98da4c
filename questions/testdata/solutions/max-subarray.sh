read -r n
read -ra a
best=${a[0]}
cur=${a[0]}
for v in "${a[@]:1}"; do
  ((cur = cur + v > v ? cur + v : v, best = cur > best ? cur : best))
done
echo "$best"
