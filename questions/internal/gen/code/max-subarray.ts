import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const n = data[0];
const a = data.slice(1, 1 + n);
// TODO: find the largest sum of a non-empty contiguous part of a.
const best = 0;
console.log(best);
