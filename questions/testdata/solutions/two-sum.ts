import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [n, target] = data;
const seen = new Map<number, number>();
for (let j = 0; j < n; j++) {
    const v = data[2 + j];
    const i = seen.get(target - v);
    if (i !== undefined) {
        console.log(i + 1, j + 1);
        break;
    }
    if (!seen.has(v)) {
        seen.set(v, j);
    }
}
