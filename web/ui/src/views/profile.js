// The learner's profile: how many questions they solved and tried, by
// difficulty, and their results on each question they tried. It is read
// again when one of their submissions is judged.
import { h, replace } from '../dom.js';
import { api } from '../api.js';
import * as live from '../live.js';
import { difficultyName } from '../labels.js';

// order puts the difficulties from easy to hard, then any other, then the
// questions without one.
const order = ['easy', 'medium', 'hard'];
const rankOf = (d) => (order.includes(d) ? order.indexOf(d) : d === 'unrated' ? 99 : 50);
const nameOf = (d) => (d === 'unrated' || !d ? 'Unrated' : difficultyName(d));
const statusText = { solved: 'Solved', attempted: 'Attempted' };

export function profileView(root, { user, onError }) {
  const heading = h('h1', { id: 'profile-title', tabindex: '-1' }, 'Your progress');
  const summary = h('p', { class: 'muted', role: 'status', 'data-testid': 'progress-summary' }, 'Loading your progress…');
  const byDifficulty = h('ul', { class: 'by-difficulty', 'data-testid': 'by-difficulty' });
  const questions = h('div', { 'data-testid': 'progress-questions' });
  replace(root, h('main', { id: 'main', class: 'profile' },
    heading,
    h('p', { class: 'muted' }, `Signed in as ${user}.`),
    summary,
    h('section', { 'aria-labelledby': 'by-difficulty-title' }, h('h2', { id: 'by-difficulty-title' }, 'By difficulty'), byDifficulty),
    h('section', { 'aria-labelledby': 'tried-title' }, h('h2', { id: 'tried-title' }, 'Questions you tried'), questions)));

  let alive = true;
  async function load() {
    try {
      const p = await api('GET', '/api/me/progress');
      if (alive) draw(p);
    } catch (err) {
      if (alive) onError(err, summary);
    }
  }

  function draw(p) {
    const totals = Object.values(p.by_difficulty || {}).reduce((n, d) => n + (d.total || 0), 0);
    summary.textContent = p.solved || p.attempted
      ? `You have solved ${p.solved} of ${totals} ${totals === 1 ? 'question' : 'questions'}${p.attempted ? ` and attempted ${p.attempted} more` : ''}.`
      : `You have not submitted a solution yet: ${totals} ${totals === 1 ? 'question is' : 'questions are'} waiting.`;
    const diffs = Object.entries(p.by_difficulty || {}).sort(([a], [b]) => rankOf(a) - rankOf(b) || (a < b ? -1 : 1));
    replace(byDifficulty, diffs.map(([d, n]) => {
      const label = `${nameOf(d)}: ${n.solved} of ${n.total} solved${n.attempted ? `, ${n.attempted} attempted` : ''}`;
      return h('li', { class: 'difficulty-item', 'data-difficulty': d, 'data-solved': String(n.solved), 'data-attempted': String(n.attempted), 'data-total': String(n.total) },
        h('span', { class: `badge diff-${d}` }, nameOf(d)),
        h('span', { class: 'difficulty-bar', role: 'img', 'aria-label': label },
          h('span', { class: 'bar-solved', style: `width: ${pct(n.solved, n.total)}%` }),
          h('span', { class: 'bar-attempted', style: `width: ${pct(n.attempted, n.total)}%` })),
        h('span', { class: 'difficulty-count', 'aria-hidden': 'true' },
          h('strong', {}, `${n.solved} / ${n.total}`), ' solved', n.attempted ? h('span', { class: 'muted' }, ` · ${n.attempted} attempted`) : null));
    }));
    const qs = (p.questions || []).slice().sort((a, b) => rankOf(a.difficulty || 'unrated') - rankOf(b.difficulty || 'unrated') || (a.title || a.question_id).localeCompare(b.title || b.question_id));
    if (!qs.length) {
      replace(questions, h('p', { class: 'muted' }, 'None yet. ', h('a', { href: '/', 'data-link': true }, 'Pick a question'), ' to start.'));
      return;
    }
    replace(questions, h('div', { class: 'table-scroll' }, h('table', { class: 'progress-table' },
      h('caption', { class: 'sr-only' }, 'The questions you tried, with your status, submissions and best score'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Difficulty'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col', class: 'num' }, 'Submissions'), h('th', { scope: 'col', class: 'num' }, 'Best score'))),
      h('tbody', {}, qs.map((q) => h('tr', { 'data-question': q.question_id, 'data-status': q.status, 'data-testid': 'progress-row' },
        h('th', { scope: 'row' }, h('a', { href: `/questions/${encodeURIComponent(q.question_id)}`, 'data-link': true }, q.title || q.question_id)),
        h('td', {}, q.difficulty ? h('span', { class: `badge diff-${q.difficulty}` }, difficultyName(q.difficulty)) : h('span', { class: 'muted' }, 'Unrated')),
        h('td', { class: `progress progress-${q.status}` }, h('span', { 'aria-hidden': 'true' }, q.status === 'solved' ? '✓ ' : '… '), statusText[q.status] || q.status),
        h('td', { class: 'num' }, String(q.submissions)),
        h('td', { class: 'num', 'data-testid': 'best-score' }, q.max_score ? `${q.best_score} / ${q.max_score}` : '—')))))));
  }

  const judged = new Set();
  const stop = live.onChange((s) => {
    if (s.verdict && !judged.has(s.id)) {
      judged.add(s.id);
      load();
    }
  });
  load();
  heading.focus();
  return { title: 'Your progress', destroy() { alive = false; stop(); } };
}

function pct(n, total) {
  return total ? Math.round((1000 * n) / total) / 10 : 0;
}
