'use strict';

const { twoSum } = require('./solution.js');

if (typeof twoSum !== 'function') {
    process.stderr.write('solution.js must export the function twoSum: module.exports = { twoSum };\n');
    process.exit(1);
}
const data = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [n, target] = data;
const nums = data.slice(2, 2 + n);
const result = Array.from(twoSum(nums, target) ?? []);
// The indices may come in any order: print them sorted.
result.sort((x, y) => x - y);
console.log(result.join(' '));
