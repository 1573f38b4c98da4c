local n = io.read('n')
local out = {}
for i = 1, n do
  -- TODO: print Fizz, Buzz or FizzBuzz instead of i when i is divisible by 3,
  -- by 5 or by both.
  out[i] = i
end
print(table.concat(out, '\n'))
