data = $stdin.read.split.map(&:to_i)
n, target = data[0], data[1]
seen = {}
data[2, n].each_with_index do |v, j|
  i = seen[target - v]
  if i
    puts "#{i + 1} #{j + 1}"
    break
  end
  seen[v] ||= j
end
