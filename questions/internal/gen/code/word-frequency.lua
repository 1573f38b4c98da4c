local k = tonumber(io.read('l'))
local text = io.read('a')
-- TODO: count the words of text (runs of letters, ignoring case) in counts and
-- print the k most frequent ones, one "word count" per line.
local counts = {}
local printed = 0
for word, count in pairs(counts) do
  if printed == k then
    break
  end
  print(word .. ' ' .. count)
  printed = printed + 1
end
