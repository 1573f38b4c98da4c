data = $stdin.read.split.map(&:to_i)
n, q = data[0], data[1]
a = data[2, n]
queries = data[2 + n, q]
out = queries.map do |x|
  # TODO: count the occurrences of x in the sorted array a.
  count = 0
  count
end
puts out.join("\n")
