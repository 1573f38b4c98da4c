import { readFileSync } from 'fs';

const input = readFileSync(0, 'utf8');
const newline = input.indexOf('\n');
const k = Number(input.slice(0, newline));
const text = input.slice(newline + 1);
// TODO: count the words of text (runs of letters, ignoring case) in counts and
// print the k most frequent ones, one "word count" per line.
const counts = new Map<string, number>();
for (const [word, count] of [...counts].slice(0, k)) {
    console.log(word, count);
}
