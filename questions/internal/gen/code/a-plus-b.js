'use strict';

const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
// TODO: compute the sum of a and b (BigInt keeps every digit exact).
const answer = 0n;
console.log(String(answer));
