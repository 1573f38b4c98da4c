import { readFileSync } from 'fs';

const s = readFileSync(0, 'utf8').trim();
// TODO: reverse s.
const answer = s;
console.log(answer);
