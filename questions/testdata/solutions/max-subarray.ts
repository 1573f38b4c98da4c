import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const n = data[0];
let best = data[1];
let cur = data[1];
for (let i = 2; i <= n; i++) {
    cur = Math.max(data[i], cur + data[i]);
    best = Math.max(best, cur);
}
console.log(best);
