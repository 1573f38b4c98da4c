import { readFileSync } from 'fs';

const [a, b] = readFileSync(0, 'utf8').trim().split(/\s+/);
// TODO: compute the length of the longest common subsequence of a and b.
const answer = 0;
console.log(answer);
