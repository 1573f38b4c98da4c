k = $stdin.gets.to_i
text = $stdin.read
# TODO: count the words of text (runs of letters, ignoring case) in counts and
# print the k most frequent ones, one "word count" per line.
counts = Hash.new(0)
counts.first(k).each do |word, count|
  puts "#{word} #{count}"
end
