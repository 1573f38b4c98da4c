// A line diff of an expected output and a program's output, as the Run
// results show it: the fewest lines to drop from the expected output and add
// from the program's to turn one into the other (a longest common
// subsequence). Lines compare without their trailing blanks, and a final
// newline makes no line, as the judges' whitespace checker reads them.

// MAX_CELLS bounds the table of the comparison: past it (two outputs of a
// few thousand lines each) lines are compared in place instead.
const MAX_CELLS = 4_000_000;

export function lines(text) {
  const ls = (text ?? '').split('\n');
  if (ls.length && ls[ls.length - 1] === '') ls.pop();
  return ls;
}

// lineDiff returns the lines of both texts in order, each
// {op: ' ' | '-' | '+', text}: ' ' in both, '-' expected only, '+' output
// only.
export function lineDiff(expected, output) {
  const a = lines(expected);
  const b = lines(output);
  const same = (x, y) => x.trimEnd() === y.trimEnd();
  // The common head and tail need no table.
  let head = 0;
  while (head < a.length && head < b.length && same(a[head], b[head])) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && same(a[a.length - 1 - tail], b[b.length - 1 - tail])) tail++;
  const out = a.slice(0, head).map((text) => ({ op: ' ', text }));
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  if (x.length * y.length > MAX_CELLS) {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (i < x.length && i < y.length && same(x[i], y[i])) out.push({ op: ' ', text: y[i] });
      else {
        if (i < x.length) out.push({ op: '-', text: x[i] });
        if (i < y.length) out.push({ op: '+', text: y[i] });
      }
    }
  } else {
    // lcs[i][j]: the longest common subsequence of x[i:] and y[j:].
    const n = x.length;
    const m = y.length;
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = same(x[i], y[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && same(x[i], y[j])) {
        out.push({ op: ' ', text: y[j] });
        i++;
        j++;
      } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.push({ op: '-', text: x[i++] });
      } else {
        out.push({ op: '+', text: y[j++] });
      }
    }
  }
  for (const text of b.slice(b.length - tail)) out.push({ op: ' ', text });
  return out;
}

// differs reports whether a diff has any line in one text only.
export const differs = (d) => d.some((l) => l.op !== ' ');
