// The contest list: running contests first, then upcoming ones, then those
// that are over, each with its times, its questions and whether the
// learner may take part.
import { h, replace, ago } from '../dom.js';
import { api } from '../api.js';
import { span } from '../clock.js';
import { phaseName, scoringName } from '../labels.js';

const sections = [
  ['running', 'Running now', 'No contest is running.'],
  ['upcoming', 'Upcoming', 'No contest is planned.'],
  ['over', 'Over', ''],
];

export function contestsView(root, { onError }) {
  const heading = h('h1', { id: 'contests-title', tabindex: '-1' }, 'Contests');
  const summary = h('p', { class: 'muted', role: 'status' }, 'Loading contests…');
  const body = h('div', { 'data-testid': 'contest-list', 'aria-busy': 'true' });
  replace(root, h('main', { id: 'main' }, heading, summary, body));

  let alive = true;
  (async () => {
    try {
      const list = await api('GET', '/api/contests');
      if (alive) draw(list);
    } catch (err) {
      if (alive) onError(err, summary);
    }
  })();

  function draw(list) {
    body.setAttribute('aria-busy', 'false');
    if (!list.length) {
      summary.textContent = 'There are no contests yet.';
      return;
    }
    const running = list.filter((c) => c.phase === 'running').length;
    summary.textContent = `${list.length} ${list.length === 1 ? 'contest' : 'contests'}${running ? `, ${running} running now` : ''}.`;
    replace(body, sections.map(([phase, title, none]) => {
      // The server lists the newest start first; what is coming is read
      // soonest first.
      let items = list.filter((c) => c.phase === phase);
      if (phase === 'upcoming') items = items.reverse();
      if (!items.length && !none) return null;
      const id = `contests-${phase}`;
      return h('section', { 'aria-labelledby': id, class: 'contest-section' },
        h('h2', { id }, title),
        items.length
          ? h('ul', { class: 'contests' }, items.map(item))
          : h('p', { class: 'muted' }, none));
    }));
  }

  function item(c) {
    return h('li', { class: 'contest-item', 'data-contest': c.id, 'data-phase': c.phase },
      h('a', { href: `/contests/${encodeURIComponent(c.id)}`, 'data-link': true, class: 'contest-link' }, c.title),
      h('span', { class: `badge phase-${c.phase}` }, phaseName(c.phase)),
      h('span', { class: 'muted meta' }, span(c.start, c.end),
        ` · ${c.question_count} ${c.question_count === 1 ? 'question' : 'questions'} · ${scoringName(c.scoring)}`),
      h('span', { class: 'contest-when' }, c.phase === 'running' ? `Ends ${ago(c.end)}` : c.phase === 'upcoming' ? `Starts ${ago(c.start)}` : `Ended ${ago(c.end)}`),
      h('span', { class: `join join-${joinState(c)}`, 'data-testid': 'join-state' }, joinText(c)));
  }

  heading.focus();
  return { title: 'Contests', destroy() { alive = false; } };
}

// joinState is whether the learner may take part: open (running or
// upcoming, and open to them), closed (for other participants), or over.
export function joinState(c) {
  if (c.phase === 'over') return 'over';
  return c.can_participate ? 'open' : 'closed';
}

export function joinText(c) {
  const tick = h('span', { 'aria-hidden': 'true' }, '✓ ');
  return {
    open: [tick, c.phase === 'running' ? 'You can take part' : 'You can take part once it starts'],
    closed: ['For its participants only: you can watch'],
    over: ['Over: results only'],
  }[joinState(c)];
}
