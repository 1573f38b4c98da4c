n = $stdin.gets.to_i
out = []
(1..n).each do |i|
  # TODO: print Fizz, Buzz or FizzBuzz instead of i when i is divisible by 3,
  # by 5 or by both.
  out << i.to_s
end
puts out.join("\n")
