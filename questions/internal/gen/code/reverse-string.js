'use strict';

const s = require('fs').readFileSync(0, 'utf8').trim();
// TODO: reverse s.
const answer = s;
console.log(answer);
