data = $stdin.read.split.map(&:to_i)
n = data[0]
best = cur = data[1]
data[2, n - 1].each do |v|
  cur = [v, cur + v].max
  best = cur if cur > best
end
puts best
