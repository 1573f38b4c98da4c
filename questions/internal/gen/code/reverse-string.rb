s = $stdin.gets.strip
# TODO: reverse s.
answer = s
puts answer
