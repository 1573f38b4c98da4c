import { readFileSync } from 'fs';

const [a, b] = readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
// TODO: compute the sum of a and b (BigInt keeps every digit exact).
const answer: bigint = 0n;
console.log(String(answer));
