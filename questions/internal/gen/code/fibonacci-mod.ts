import { readFileSync } from 'fs';

const MOD = 1000000007n;

const data = readFileSync(0, 'utf8').trim().split(/\s+/);
const t = Number(data[0]);
const out: string[] = [];
for (const n of data.slice(1, 1 + t).map(BigInt)) {
    // TODO: compute F(n) modulo MOD in O(log n) steps. Products of two numbers
    // below MOD exceed 2^53, so compute with BigInt (as n and MOD are).
    const answer: bigint = 0n;
    out.push(String(answer));
}
console.log(out.join('\n'));
