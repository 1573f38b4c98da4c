// A contest's page: its times with a countdown to the start or the end (on
// the server's clock), its questions with the learner's score on each and
// a link to solve each in the contest, and the live leaderboard, which
// moves as results come in while the page is open.
import { h, replace, announce } from '../dom.js';
import { api } from '../api.js';
import * as md from '../markdown.js';
import { serverClock, phaseAt, countdown, spoken, span, ticker, when } from '../clock.js';
import { phaseName, scoringName, ordinal, points, difficultyName } from '../labels.js';
import { notFound } from './notfound.js';
import { joinState, joinText } from './contests.js';

// BOARD_LIMIT is how many rows of the leaderboard the page follows.
const BOARD_LIMIT = 100;

export function contestView(root, { id, user, onError, setTitle }) {
  let alive = true;
  let contest = null;
  let clock = Date.now;
  let me = null; // the learner's own live row
  let reloading = false;
  const cleanups = [];

  const main = h('main', { id: 'main', class: 'contest-page' }, h('p', { class: 'muted', role: 'status' }, 'Loading the contest…'));
  replace(root, main);

  const heading = h('h1', { id: 'contest-title', tabindex: '-1' });
  const phase = h('span', { class: 'badge', 'data-testid': 'contest-phase' });
  const times = h('p', { class: 'contest-times muted' });
  const timer = h('p', { class: 'countdown', role: 'timer', 'aria-atomic': 'true', 'data-testid': 'countdown' });
  const join = h('p', { class: 'join', 'data-testid': 'join-state' });
  const description = h('div', { class: 'markdown contest-description' });
  const questions = h('div', { class: 'contest-questions', 'data-testid': 'contest-questions' });
  const boardBox = h('section', { class: 'leaderboard', 'aria-labelledby': 'board-title', 'data-testid': 'leaderboard-section' });

  // load reads the contest, and the server's clock with it.
  async function load() {
    const sent = Date.now();
    const c = await api('GET', `/api/contests/${encodeURIComponent(id)}`);
    clock = serverClock(c.now, sent, Date.now());
    return c;
  }

  (async () => {
    try {
      contest = await load();
    } catch (err) {
      if (!alive) return;
      if (err.status === 404) {
        const { main: view, heading: nf } = notFound({ title: 'Contest not found',
          text: `There is no contest “${id}”: it may have been removed, or the address may be mistyped.`,
          home: { href: '/contests', text: 'See all contests' } });
        main.replaceWith(view);
        nf.focus();
        setTitle('Contest not found');
        return;
      }
      onError(err, main.firstChild);
      return;
    }
    if (!alive) return;
    setTitle(contest.title);
    replace(main,
      h('p', { class: 'back' }, h('a', { href: '/contests', 'data-link': true }, '← All contests')),
      h('div', { class: 'contest-head' }, heading, phase),
      times, timer, join, description,
      h('section', { 'aria-labelledby': 'contest-questions-title' },
        h('h2', { id: 'contest-questions-title' }, 'Questions'), questions),
      boardBox);
    drawContest();
    heading.focus();
    cleanups.push(ticker(tick, () => clock()));
    const board = leaderboardPanel(boardBox, {
      contestId: id, user, questions: () => contest.questions || [],
      onMe: (row) => { me = row; drawQuestions(); },
    });
    cleanups.push(() => board.destroy());
  })();

  function drawContest() {
    heading.textContent = contest.title;
    phase.className = `badge phase-${contest.phase}`;
    phase.textContent = phaseName(contest.phase);
    phase.dataset.phase = contest.phase;
    replace(times, span(contest.start, contest.end), ` · ${scoringName(contest.scoring)}`,
      contest.freeze_minutes ? ` · the leaderboard freezes for the last ${contest.freeze_minutes} minutes` : '');
    join.className = `join join-${joinState(contest)}`;
    replace(join, joinText(contest));
    md.into(description, contest.description || '', { minHeading: 2 });
    description.hidden = !contest.description;
    drawQuestions();
    tick();
  }

  function tick() {
    if (!contest) return;
    const now = clock();
    const p = phaseAt(contest, now);
    timer.dataset.phase = p;
    if (p === 'over' && timer.dataset.ended === contest.end) {
      // nothing changes any more
    } else if (p === 'upcoming') {
      const left = Date.parse(contest.start) - now;
      replace(timer, h('span', { class: 'countdown-label' }, 'Starts in '), h('span', { class: 'countdown-value', 'aria-hidden': 'true' }, countdown(left)),
        h('span', { class: 'sr-only' }, spoken(left)));
    } else if (p === 'running') {
      const left = Date.parse(contest.end) - now;
      replace(timer, h('span', { class: 'countdown-label' }, 'Ends in '), h('span', { class: 'countdown-value', 'aria-hidden': 'true' }, countdown(left)),
        h('span', { class: 'sr-only' }, spoken(left)));
    } else {
      replace(timer, h('span', { class: 'countdown-label' }, 'Ended '), h('time', { datetime: contest.end }, when(contest.end)));
      timer.dataset.ended = contest.end;
    }
    // The clock passed the start or the end: read the contest again (its
    // questions show from the start).
    if (p !== contest.phase && !reloading) {
      reloading = true;
      load().then((c) => {
        if (!alive) return;
        const was = contest.phase;
        contest = c;
        drawContest();
        if (c.phase !== was) announce(c.phase === 'running' ? 'The contest has started.' : c.phase === 'over' ? 'The contest is over.' : '');
      }).catch(() => { /* tried again on the next tick */ }).finally(() => {
        // The server's clock may be a moment behind ours: try again a
        // second later rather than at once.
        setTimeout(() => { reloading = false; }, 1000);
      });
    }
  }

  function drawQuestions() {
    if (!contest) return;
    if (contest.questions_hidden) {
      replace(questions, h('p', { class: 'muted', 'data-testid': 'questions-hidden' }, 'The questions are shown when the contest starts.'));
      return;
    }
    const qs = contest.questions || [];
    if (!qs.length) {
      replace(questions, h('p', { class: 'muted' }, 'This contest has no questions.'));
      return;
    }
    const cells = new Map((me?.questions || []).map((c) => [c.question_id, c]));
    replace(questions, h('div', { class: 'table-scroll' }, h('table', { class: 'contest-questions-table' },
      h('caption', { class: 'sr-only' }, 'Questions of the contest, with your score on each'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Label'), h('th', { scope: 'col' }, 'Question'),
        h('th', { scope: 'col', class: 'num' }, 'Points'), h('th', { scope: 'col', class: 'num' }, 'Your score'))),
      h('tbody', {}, qs.map((q) => {
        const cell = cells.get(q.question_id);
        const mine = myScore(cell, q);
        return h('tr', { 'data-question': q.question_id, 'data-testid': 'contest-question' },
          h('th', { scope: 'row', class: 'label' }, q.label),
          h('td', {},
            h('a', { href: `/questions/${encodeURIComponent(q.question_id)}?contest=${encodeURIComponent(contest.id)}`, 'data-link': true, class: 'question-link' },
              q.title || q.question_id),
            q.difficulty ? [' ', h('span', { class: `badge diff-${q.difficulty}` }, difficultyName(q.difficulty))] : null),
          h('td', { class: 'num' }, String(q.points)),
          h('td', { class: `num my-score score-${mine.state}`, 'data-testid': 'my-score', 'data-state': mine.state, 'data-score': String(cell?.score ?? 0) },
            mine.nodes));
      })))));
  }

  return {
    title: 'Contest',
    destroy() {
      alive = false;
      for (const f of cleanups) f();
    },
  };
}

// myScore says what the learner scored on a question of the contest: its
// state (new, attempted, solved) and what the cell shows.
function myScore(cell, q) {
  if (!cell || (!cell.tries && !cell.pending)) return { state: 'new', nodes: [h('span', { class: 'muted' }, 'Not tried')] };
  const state = cell.solved ? 'solved' : 'attempted';
  return {
    state,
    nodes: [
      cell.solved ? h('span', { 'aria-hidden': 'true' }, '✓ ') : null,
      `${points(cell.score)} / ${q.points}`,
      cell.solved ? h('span', { class: 'sr-only' }, ', solved') : null,
      cell.pending ? h('span', { class: 'muted pending' }, ` · ${cell.pending} judging`) : null,
    ],
  };
}

// leaderboardPanel follows a contest's leaderboard on its stream: a whole
// board first, then the rows that changed, applied by user, and the
// learner's own live row. Rows that move slide to their new place, and a
// line (read out by screen readers) says what changed.
function leaderboardPanel(el, { contestId, user, questions, onMe }) {
  const rows = new Map(); // user → row, as the stream told
  let board = null; // the last whole board, for its state
  let me = null;
  let total = 0;
  let es = null;
  let stopped = false;

  const title = h('h2', { id: 'board-title' }, 'Leaderboard');
  const conn = h('span', { class: 'board-conn', 'data-testid': 'board-conn' });
  const state = h('p', { class: 'board-state', 'data-testid': 'board-state' });
  const mine = h('p', { class: 'board-mine', 'data-testid': 'my-standing' });
  const news = h('p', { class: 'board-news muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'board-news' });
  const body = h('tbody');
  const head = h('thead');
  const table = h('table', { class: 'leaderboard-table', 'data-testid': 'leaderboard' },
    h('caption', { class: 'sr-only' }, 'Leaderboard: rank, learner, score and each question’s result'), head, body);
  const scroll = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'board-title' }, table);
  const empty = h('p', { class: 'muted', 'data-testid': 'board-empty' }, 'No one has submitted yet.');
  const more = h('p', { class: 'muted board-more' });
  replace(el, h('div', { class: 'board-head' }, title, conn), state, mine, news, empty, scroll, more);
  el.setAttribute('aria-busy', 'true');

  function connect() {
    es?.close();
    setConn('connecting');
    es = new EventSource(`/api/contests/${encodeURIComponent(contestId)}/leaderboard/events?limit=${BOARD_LIMIT}`);
    es.addEventListener('open', () => setConn('live'));
    es.addEventListener('leaderboard', (ev) => {
      const b = parse(ev);
      if (!b) return;
      // A whole board again: after a reconnect, or when the board's state
      // changed (the contest started or ended, the board froze).
      if (board && b.frozen !== board.frozen) {
        say(b.frozen ? 'The leaderboard is frozen: others’ results from now on show once the contest is over' : 'The leaderboard is live again');
      }
      board = b;
      rows.clear();
      for (const r of b.rows || []) rows.set(r.user, r);
      total = b.total ?? rows.size;
      setMe(b.me);
      el.setAttribute('aria-busy', 'false');
      draw([]);
    });
    es.addEventListener('rows', (ev) => {
      const d = parse(ev);
      if (!d || !board) return;
      const before = new Map(rows);
      for (const r of d.rows || []) rows.set(r.user, r);
      for (const u of d.removed || []) rows.delete(u);
      total = d.total ?? rows.size;
      const changed = (d.rows || []).map((r) => r.user);
      draw(changed);
      tell(before, d.rows || []);
    });
    es.addEventListener('me', (ev) => {
      const r = parse(ev);
      if (!r || !board) return;
      const was = me;
      setMe(r);
      draw([user]);
      // A move caused by others is told with their rows; here, the
      // learner's own results.
      if (!was) say(`You are on the leaderboard: ${ordinal(r.rank)} with ${pointsOf(r)}`);
      else if (was.score !== r.score || was.solved !== r.solved) say(`You are ${ordinal(r.rank)} with ${pointsOf(r)}`);
    });
    es.addEventListener('error', () => {
      if (stopped) return;
      if (es.readyState === EventSource.CLOSED) {
        // Refused for good (the session ended, or the contest is gone):
        // offer to try again rather than retry without end.
        setConn('offline');
      } else {
        setConn('reconnecting');
      }
    });
  }

  function parse(ev) {
    try {
      return JSON.parse(ev.data);
    } catch (err) {
      console.error('bad leaderboard event', err);
      return null;
    }
  }

  function setConn(s) {
    conn.dataset.state = s;
    if (s === 'offline') {
      replace(conn, 'Not live. ', h('button', { type: 'button', class: 'link', onclick: connect }, 'Reconnect'));
    } else {
      conn.textContent = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[s];
    }
  }

  function setMe(r) {
    me = r || null;
    onMe(me);
  }

  // shown is the rows as the page shows them, best first: the learner's
  // own row is their live one, even while the board is frozen for others.
  function shown() {
    const list = [...rows.values()];
    if (me) {
      const i = list.findIndex((r) => r.user === user);
      if (i >= 0) list[i] = me;
      else list.push(me);
    }
    return list.sort((a, b) => a.rank - b.rank || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  function draw(changed) {
    const b = board;
    const icpc = b.scoring === 'icpc';
    el.dataset.frozen = String(!!b.frozen);
    el.dataset.phase = b.phase;
    replace(state,
      b.frozen
        ? h('span', { class: 'notice board-frozen', 'data-testid': 'board-frozen' },
          h('span', { 'aria-hidden': 'true' }, '❄ '),
          `Frozen since ${when(b.freeze_at)}: others’ results from then on show once the contest is over. Yours are live.`)
        : b.phase === 'over' ? 'Final standings.' : b.phase === 'upcoming' ? 'The leaderboard fills once the contest starts.' : null);
    const list = shown();
    const mineRow = me;
    replace(mine, mineRow
      ? [h('strong', {}, `You are ${ordinal(mineRow.rank)}`), ` of ${Math.max(total, list.length)} with ${pointsOf(mineRow)}`,
        icpc ? ` · ${mineRow.solved} solved · ${mineRow.penalty} min penalty` : '', '.']
      : 'You are not on the leaderboard yet: your first submission puts you there.');

    const labels = columns(list);
    replace(head, h('tr', {},
      h('th', { scope: 'col', class: 'num rank' }, 'Rank'), h('th', { scope: 'col' }, 'Learner'),
      h('th', { scope: 'col', class: 'num total' }, icpc ? 'Solved' : 'Score'),
      icpc ? h('th', { scope: 'col', class: 'num' }, 'Penalty') : null,
      labels.map((q) => h('th', { scope: 'col', class: 'num q-col' }, q.title ? h('abbr', { title: q.title }, q.label) : q.label))));

    // Where each row was, to slide the rows that move.
    const before = new Map([...body.rows].map((tr) => [tr.dataset.user, tr.getBoundingClientRect().top]));
    replace(body, list.map((r) => row(r, labels, icpc, changed.includes(r.user))));
    empty.hidden = list.length > 0;
    scroll.hidden = list.length === 0;
    more.textContent = total > rows.size ? `Showing the first ${rows.size} of ${total}.` : '';
    slide(before);
  }

  // columns are the questions' labels, from the contest or, before its
  // start, from the rows' cells.
  function columns(list) {
    const qs = questions();
    if (qs.length) return qs.map((q) => ({ id: q.question_id, label: q.label, title: q.title }));
    return (list[0]?.questions || []).map((c) => ({ id: c.question_id, label: c.label || c.question_id }));
  }

  function row(r, labels, icpc, changed) {
    const mineRow = r.user === user;
    const cells = new Map((r.questions || []).map((c) => [c.question_id, c]));
    return h('tr', {
      'data-testid': 'leaderboard-row', 'data-user': r.user, 'data-rank': String(r.rank), 'data-score': String(r.score),
      class: [mineRow ? 'me-row' : '', changed ? 'changed' : ''].filter(Boolean).join(' ') || undefined,
      'aria-current': mineRow ? 'true' : undefined,
    },
    h('td', { class: 'num rank' }, String(r.rank)),
    h('th', { scope: 'row', class: 'learner' }, r.user, mineRow ? h('span', { class: 'you' }, ' (you)') : null),
    h('td', { class: 'num total' }, icpc ? String(r.solved) : points(r.score)),
    icpc ? h('td', { class: 'num' }, String(r.penalty)) : null,
    labels.map((q) => cellOf(cells.get(q.id), q, icpc)));
  }

  function cellOf(c, q, icpc) {
    const pending = c?.pending ? h('span', { class: 'pending', title: `${c.pending} not shown yet` }, '?', h('span', { class: 'sr-only' }, ` ${c.pending} pending`)) : null;
    if (!c || (!c.tries && !c.pending)) return h('td', { class: 'num cell-new' }, h('span', { 'aria-hidden': 'true' }, '·'), h('span', { class: 'sr-only' }, `${q.label}: not tried`));
    if (icpc) {
      if (c.solved) {
        return h('td', { class: 'num cell-solved' }, h('span', { 'aria-hidden': 'true' }, '✓'), h('span', { class: 'sr-only' }, `${q.label}: solved`),
          c.rejected ? ` +${c.rejected}` : '', h('span', { class: 'muted minute' }, ` ${c.solved_minute}′`), pending);
      }
      return h('td', { class: 'num cell-tried' }, c.tries ? [h('span', { 'aria-hidden': 'true' }, '✗'), h('span', { class: 'sr-only' }, `${q.label}: tried`), ` ${c.tries}`] : null, pending);
    }
    return h('td', { class: `num ${c.solved ? 'cell-solved' : c.score > 0 ? 'cell-partial' : 'cell-tried'}` }, h('span', { class: 'sr-only' }, `${q.label}: `), points(c.score), pending);
  }

  // slide moves each row that changed place from where it was to where it
  // is, unless the learner asked for less motion.
  function slide(before) {
    if (!before.size || matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    const moved = [];
    for (const tr of body.rows) {
      const was = before.get(tr.dataset.user);
      if (was === undefined) continue;
      const dy = was - tr.getBoundingClientRect().top;
      if (!dy) continue;
      tr.style.transform = `translateY(${dy}px)`;
      moved.push(tr);
    }
    if (!moved.length) return;
    void body.offsetHeight; // the rows are drawn where they were first
    requestAnimationFrame(() => {
      for (const tr of moved) {
        tr.style.transition = 'transform 400ms ease';
        tr.style.transform = '';
      }
    });
  }

  // tell says what a rows event changed: who joined the board or scored,
  // and where they are now; the rows that only moved down for it are not
  // worth a word, unless they are the learner's.
  function tell(before, changed) {
    const lines = [];
    for (const r of changed) {
      const old = before.get(r.user);
      const who = r.user === user ? 'You' : r.user;
      if (!old) lines.push(`${who} joined the leaderboard at ${ordinal(r.rank)} with ${pointsOf(r)}`);
      else if (old.score !== r.score || old.solved !== r.solved) {
        const moved = r.rank < old.rank ? `moved up to ${ordinal(r.rank)}` : r.rank > old.rank ? `moved down to ${ordinal(r.rank)}` : `stays ${ordinal(r.rank)}`;
        lines.push(`${who} ${moved} with ${pointsOf(r)}`);
      } else if (r.user === user && r.rank !== old.rank) {
        lines.push(`You moved ${r.rank < old.rank ? 'up' : 'down'} to ${ordinal(r.rank)}`);
      }
    }
    if (!lines.length) return;
    say(lines.length > 3 ? `${lines.length} learners’ results changed` : lines.join('. '));
  }

  // say shows (and has screen readers read) what changed; what is said
  // within a moment (a rows event and the me event after it) is one line.
  let said = [];
  let sayTimer = 0;
  function say(text) {
    said.push(text);
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => {
      const at = new Date();
      replace(news, h('time', { datetime: at.toISOString() }, at.toLocaleTimeString()), ' · ', `${said.join('. ')}.`);
      said = [];
    }, 150);
  }

  function pointsOf(r) {
    if (board?.scoring === 'icpc') return `${r.solved} solved`;
    return `${points(r.score)} ${r.score === 1 ? 'point' : 'points'}`;
  }

  connect();
  return {
    destroy() {
      stopped = true;
      clearTimeout(sayTimer);
      es?.close();
    },
  };
}
