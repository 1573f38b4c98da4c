// How verdicts, statuses and limits read on the page.
export const verdictNames = {
  accepted: 'Accepted',
  wrong_answer: 'Wrong answer',
  time_limit_exceeded: 'Time limit exceeded',
  memory_limit_exceeded: 'Memory limit exceeded',
  runtime_error: 'Runtime error',
  compilation_error: 'Compilation error',
  output_limit_exceeded: 'Output limit exceeded',
  internal_error: 'Internal error',
  skipped: 'Skipped',
};

export const verdictName = (v) => verdictNames[v] || v;

// tone is the colour family of a verdict or status: ok, bad, wait.
export function tone(v) {
  if (v === 'accepted') return 'ok';
  if (!v || v === 'queued' || v === 'running' || v === 'skipped') return 'wait';
  return 'bad';
}

export const mark = (v) => (tone(v) === 'ok' ? '✓' : tone(v) === 'bad' ? '✗' : '•');

export function seconds(ms) {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
}

export function memory(kb) {
  if (!kb) return '—';
  return kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} KB`;
}

export function difficultyName(d) {
  return d ? d[0].toUpperCase() + d.slice(1) : '';
}

export const phaseName = (p) => ({ upcoming: 'Upcoming', running: 'Running', over: 'Over' }[p] || p);

export const scoringName = (s) => ({ ioi: 'IOI scoring', icpc: 'ICPC scoring' }[s] || s);

// ordinal writes a rank: 1st, 2nd, 3rd, 11th, 22nd.
export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th';
  return `${n}${suffix}`;
}

// points writes contest points: whole numbers as they are, others to two
// decimals at most.
export function points(x) {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}
