import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/);
const t = Number(data[0]);
const out: string[] = [];
for (let k = 1; k <= t; k++) {
    const r = Number(data[k]);
    // TODO: compute the area of a circle of radius r (see Math.PI).
    const area = 0;
    out.push(area.toFixed(9));
}
console.log(out.join('\n'));
