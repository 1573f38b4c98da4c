import { readFileSync } from 'fs';

const n = Number(readFileSync(0, 'utf8').trim());
const out: string[] = [];
for (let i = 1; i <= n; i++) {
    // TODO: print Fizz, Buzz or FizzBuzz instead of i when i is divisible by 3,
    // by 5 or by both.
    out.push(String(i));
}
console.log(out.join('\n'));
