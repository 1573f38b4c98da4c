import { readFileSync } from 'fs';

const [a, b] = readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(String(a + b));
