'use strict';

const LIMIT = 1000000;

const data = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const q = data[0];
// TODO: sieve the primes up to LIMIT once, here.
const out = [];
for (const n of data.slice(1, 1 + q)) {
    // TODO: count the primes p <= n.
    const answer = 0;
    out.push(answer);
}
console.log(out.join('\n'));
