import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [n, target] = data;
const a = data.slice(2, 2 + n);
// TODO: find the positions i < j (1-based) with a[i] + a[j] == target.
const i = 0, j = 0;
console.log(i, j);
