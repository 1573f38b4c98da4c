import { readFileSync } from 'fs';

const LIMIT = 1000000;

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const q = data[0];
// TODO: sieve the primes up to LIMIT once, here.
const out: number[] = [];
for (const n of data.slice(1, 1 + q)) {
    // TODO: count the primes p <= n.
    const answer = 0;
    out.push(answer);
}
console.log(out.join('\n'));
