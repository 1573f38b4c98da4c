'use strict';

const data = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/);
const t = Number(data[0]);
const out = [];
for (const s of data.slice(1, 1 + t)) {
    // TODO: decide whether s is balanced.
    const balanced = false;
    out.push(balanced ? 'YES' : 'NO');
}
console.log(out.join('\n'));
