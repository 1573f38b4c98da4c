import { readFileSync } from 'fs';

const data = readFileSync(0, 'utf8').trim().split(/\s+/);
const t = Number(data[0]);
const out: string[] = [];
for (const s of data.slice(1, 1 + t)) {
    // TODO: decide whether s is balanced.
    const balanced: boolean = false;
    out.push(balanced ? 'YES' : 'NO');
}
console.log(out.join('\n'));
