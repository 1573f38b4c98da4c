// The question list, with the learner's progress on each; it refreshes when
// one of their submissions is judged.
import { h, replace } from '../dom.js';
import { api } from '../api.js';
import * as live from '../live.js';
import { verdictName, difficultyName, seconds } from '../labels.js';

const statusText = { solved: 'Solved', attempted: 'Attempted', '': 'Not tried' };

export function listView(root, { onError }) {
  const list = h('ul', { class: 'questions', 'data-testid': 'question-list', 'aria-busy': 'true', 'aria-labelledby': 'list-title' });
  const summary = h('p', { class: 'muted', role: 'status' }, 'Loading questions…');
  const heading = h('h1', { id: 'list-title', tabindex: '-1' }, 'Questions');
  replace(root, h('main', { id: 'main' }, heading, summary, list));

  let alive = true;
  async function load() {
    try {
      const qs = await api('GET', '/api/questions');
      if (!alive) return;
      draw(qs);
    } catch (err) {
      if (alive) onError(err, summary);
    }
  }

  function draw(qs) {
    list.setAttribute('aria-busy', 'false');
    const solved = qs.filter((q) => q.status === 'solved').length;
    summary.textContent = qs.length ? `You have solved ${solved} of ${qs.length}.` : 'There are no questions yet.';
    replace(list, qs.map((q) => h('li', { class: 'question-item', 'data-question': q.id, 'data-status': q.status || 'new' },
      h('a', { href: `/questions/${encodeURIComponent(q.id)}`, 'data-link': true, class: 'question-link' }, q.title),
      h('span', { class: `badge diff-${q.difficulty || 'none'}` }, difficultyName(q.difficulty)),
      h('span', { class: `progress progress-${q.status || 'new'}`, 'data-testid': 'question-status' },
        h('span', { 'aria-hidden': 'true' }, q.status === 'solved' ? '✓ ' : q.status === 'attempted' ? '… ' : ''),
        statusText[q.status || ''],
        q.status === 'attempted' && q.last_verdict ? h('span', { class: 'muted' }, ` (last: ${verdictName(q.last_verdict)})`) : null),
      h('span', { class: 'muted meta' }, `${q.test_count} tests · ${seconds(q.time_limit_ms)} · ${q.memory_limit_mb} MB`))));
  }

  // Reload once per newly judged submission, not on every review delta.
  const judged = new Set();
  const stop = live.onChange((s) => {
    if ((s.verdict || s.status === 'failed') && !judged.has(s.id)) {
      judged.add(s.id);
      load();
    }
  });
  load();
  heading.focus();
  return { title: 'Questions', destroy() { alive = false; stop(); } };
}
