data = $stdin.read.split
t = data[0].to_i
out = data[1, t].map do |s|
  # TODO: decide whether s is balanced.
  balanced = false
  balanced ? 'YES' : 'NO'
end
puts out.join("\n")
