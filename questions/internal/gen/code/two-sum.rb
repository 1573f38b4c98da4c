data = $stdin.read.split.map(&:to_i)
n, target = data[0], data[1]
a = data[2, n]
# TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
i, j = 0, 0
puts "#{i} #{j}"
