import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [n, q] = data;
const a = data.slice(2, 2 + n);
const queries = data.slice(2 + n, 2 + n + q);
const out: number[] = [];
for (const x of queries) {
    // TODO: count the occurrences of x in the sorted array a.
    const count = 0;
    out.push(count);
}
console.log(out.join('\n'));
