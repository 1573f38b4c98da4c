import { readFileSync } from 'fs';

const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function balanced(s: string): boolean {
    const stack: string[] = [];
    for (const c of s) {
        if (c in CLOSE) {
            stack.push(CLOSE[c]);
        } else if (stack.pop() !== c) {
            return false;
        }
    }
    return stack.length === 0;
}

const data = readFileSync(0, 'utf8').trim().split(/\s+/);
const t = Number(data[0]);
console.log(data.slice(1, 1 + t).map((s) => (balanced(s) ? 'YES' : 'NO')).join('\n'));
