data = $stdin.read.split
t = data[0].to_i
out = []
data[1, t].each do |token|
  r = token.to_f
  # TODO: compute the area of a circle of radius r (see Math::PI).
  area = 0.0
  out << format('%.9f', area)
end
puts out.join("\n")
