import { readFileSync } from 'fs';
import { twoSum } from './solution';

// The driver reads the test, calls the learner's twoSum (solution.ts) and
// prints the indices it returns.
const data = readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const [n, target] = data;
const nums = data.slice(2, 2 + n);
const result = Array.from(twoSum(nums, target) ?? []);
// The indices may come in any order: print them sorted.
result.sort((x, y) => x - y);
console.log(result.join(' '));
