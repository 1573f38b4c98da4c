local LIMIT = 1000000

-- TODO: sieve the primes up to LIMIT once, here.
local q = io.read('n')
local out = {}
for k = 1, q do
  local n = io.read('n')
  -- TODO: count the primes p <= n.
  local answer = 0
  out[k] = answer
end
print(table.concat(out, '\n'))
