// The question page: the statement, limits and sample tests beside an editor
// with the language's starter code; Run, which tries the code on the samples
// and the learner's own inputs (the test console) without it counting; Submit;
// then, live, a row per test as it finishes, the verdict, and the review as
// the model writes it; and the learner's earlier submissions of this
// question, with their code. Opened from a contest (?contest=<id>), it says
// so, with the time left, and its submissions count in the contest.
import { h, replace, announce, ago, fullTime } from '../dom.js';
import { api } from '../api.js';
import * as live from '../live.js';
import * as md from '../markdown.js';
import { createEditor } from '../editor.js';
import { verdictName, tone, mark, seconds, memory, difficultyName } from '../labels.js';
import { lineDiff, differs } from '../diff.js';
import { notFound } from './notfound.js';
import { serverClock, phaseAt, countdown, spoken, ticker } from '../clock.js';

// MAX_INPUTS is how many inputs of their own a learner may run at once
// (the API's limit).
const MAX_INPUTS = 20;

const store = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode or full: drafts are a convenience */ } },
};

export function questionView(root, { id, contest: contestId = '', user, languages, onError, setTitle }) {
  let alive = true;
  let question = null;
  // The contest the question is solved in, if any: contest is what the
  // server said of it, contestClock the server's clock, and contestProblem
  // why submissions cannot count in it (then they are practice).
  let contest = null;
  let contestClock = Date.now;
  let contestProblem = '';
  let editor = null;
  let lang = null;
  let selected = null; // the submission shown under Result
  const announced = {}; // submission id → what was last announced
  const cleanups = [];

  const main = h('main', { id: 'main', class: 'question-page' }, h('p', { class: 'muted', role: 'status' }, 'Loading the question…'));
  replace(root, main);

  (async () => {
    try {
      const [q, history, c] = await Promise.all([
        api('GET', `/api/questions/${encodeURIComponent(id)}`),
        api('GET', `/api/submissions?question_id=${encodeURIComponent(id)}&limit=100`),
        contestId ? loadContest() : null,
      ]);
      if (!alive) return;
      for (const s of history) live.put(s);
      question = q;
      contest = c;
      if (contest && !contest.questions_hidden && !(contest.questions || []).some((cq) => cq.question_id === q.id)) {
        contestProblem = `This question is not in ${contest.title}`;
      }
      setTitle(q.title);
      build();
    } catch (err) {
      if (!alive) return;
      if (err.status === 404) {
        const { main: view, heading } = notFound({ title: 'Question not found',
          text: `There is no question “${id}”: it may have been removed, or the address may be mistyped.` });
        main.replaceWith(view);
        heading.focus();
        setTitle('Question not found');
        return;
      }
      onError(err, main.firstChild);
    }
  })();

  // loadContest reads the contest the question is solved in, and the
  // server's clock with it; an unknown contest leaves the question to
  // practise.
  async function loadContest() {
    const sent = Date.now();
    try {
      const c = await api('GET', `/api/contests/${encodeURIComponent(contestId)}`);
      contestClock = serverClock(c.now, sent, Date.now());
      return c;
    } catch (err) {
      if (err.status !== 404) throw err;
      contestProblem = `There is no contest “${contestId}”`;
      return null;
    }
  }

  // inContest reports whether a submission now counts in the contest.
  const inContest = () => !!contest && !contestProblem && phaseAt(contest, contestClock()) !== 'over';

  // contestBanner says which contest the question is solved in, and how
  // long it has left; it is kept current every second.
  function contestBanner() {
    if (!contestId) return null;
    if (!contest) {
      return h('aside', { class: 'contest-banner notice', 'aria-label': 'Contest', 'data-testid': 'contest-banner', 'data-state': 'none' },
        `${contestProblem}: your submissions here are practice. `, h('a', { href: '/contests', 'data-link': true }, 'See all contests'));
    }
    const cq = (contest.questions || []).find((x) => x.question_id === question.id);
    const remaining = h('span', { role: 'timer', 'aria-atomic': 'true', class: 'contest-remaining', 'data-testid': 'contest-remaining' });
    const note = h('p', { class: 'contest-note' });
    const banner = h('aside', { class: 'contest-banner', 'aria-label': 'Contest', 'data-testid': 'contest-banner', 'data-contest': contest.id },
      h('p', { class: 'contest-line' },
        h('a', { href: `/contests/${encodeURIComponent(contest.id)}`, 'data-link': true, class: 'contest-name', 'data-testid': 'contest-name' }, contest.title),
        cq ? h('span', { class: 'muted' }, ` · Question ${cq.label} · ${cq.points} points`) : null),
      h('p', { class: 'contest-line' }, remaining),
      note);
    const draw = () => {
      const now = contestClock();
      const p = phaseAt(contest, now);
      banner.dataset.state = contestProblem ? 'practice' : p;
      if (p === 'upcoming') {
        const left = Date.parse(contest.start) - now;
        replace(remaining, 'Starts in ', h('span', { 'aria-hidden': 'true' }, countdown(left)), h('span', { class: 'sr-only' }, spoken(left)));
      } else if (p === 'running') {
        const left = Date.parse(contest.end) - now;
        replace(remaining, 'Ends in ', h('span', { 'aria-hidden': 'true' }, countdown(left)), h('span', { class: 'sr-only' }, spoken(left)));
      } else {
        remaining.textContent = 'The contest is over.';
      }
      const text = contestProblem ? `${contestProblem}: your submissions here are practice.`
        : p === 'over' ? 'Your submissions here are practice: they no longer count in the contest.'
          : p === 'upcoming' ? 'Submissions count once the contest starts.'
            : 'Your submissions here count in the contest.';
      if (note.textContent !== text) note.textContent = text;
    };
    cleanups.push(ticker(draw, () => contestClock()));
    return banner;
  }

  function build() {
    const heading = h('h1', { id: 'q-title', tabindex: '-1' }, question.title);
    const samples = question.tests || [];
    const statement = h('section', { class: 'statement', 'aria-labelledby': 'q-title' },
      h('p', { class: 'back' }, contest
        ? h('a', { href: `/contests/${encodeURIComponent(contest.id)}`, 'data-link': true }, `← ${contest.title}`)
        : h('a', { href: '/', 'data-link': true }, '← All questions')),
      contestBanner(),
      heading,
      h('ul', { class: 'limits', 'aria-label': 'Limits' },
        question.difficulty ? h('li', { class: `badge diff-${question.difficulty}` }, difficultyName(question.difficulty)) : null,
        h('li', {}, h('span', { class: 'muted' }, 'Time limit '), seconds(question.time_limit_ms), ' per test'),
        h('li', {}, h('span', { class: 'muted' }, 'Memory '), `${question.memory_limit_mb} MB`),
        h('li', {}, h('span', { class: 'muted' }, 'Tests '), `${question.test_count} (${samples.length} shown, ${question.hidden_tests} hidden)`)),
      md.into(h('div', { class: 'markdown', 'data-testid': 'statement' }), question.statement, { minHeading: 2 }),
      samples.length ? h('h2', {}, 'Sample tests') : null,
      samples.map((t, i) => h('div', { class: 'sample' },
        h('h3', {}, `Sample ${i + 1}`),
        h('div', { class: 'io' },
          h('div', {}, h('h4', {}, 'Input'), h('pre', { tabindex: '0' }, t.input)),
          h('div', {}, h('h4', {}, 'Expected output'), h('pre', { tabindex: '0' }, t.output))))));

    // Languages: those a judge runs, the learner's last choice first.
    const langs = languages();
    const preferred = store.get(`codementor:lang:${user}`);
    lang = langs.find((l) => l.id === preferred)?.id || langs.find((l) => question.starter_code?.[l.id])?.id || langs[0]?.id || null;
    const select = h('select', { id: 'language', 'data-testid': 'language', onchange: () => switchLanguage(select.value) },
      langs.map((l) => h('option', { value: l.id, selected: l.id === lang }, `${l.name}${l.version ? ` (${l.version})` : ''}`)));
    const submitBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'submit', onclick: submit, 'aria-describedby': 'editor-help' }, 'Submit');
    const runBtn = h('button', { type: 'button', class: 'run', 'data-testid': 'run', onclick: () => runner.run(), 'aria-describedby': 'editor-help', 'aria-keyshortcuts': "Control+' Meta+'",
      title: 'Run on the samples and your inputs (Ctrl+\')' }, 'Run');
    const resetBtn = h('button', { type: 'button', onclick: reset, 'aria-label': 'Reset to the starter code', title: 'Put the starter code back (Ctrl+Z undoes it)' }, 'Reset');
    const formError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'submit-error' });
    if (!langs.length) {
      select.disabled = true;
      submitBtn.disabled = true;
      runBtn.disabled = true;
      formError.textContent = 'No judge is running yet, so no language can be judged. Reload this page once one has started.';
    }
    const editorBox = h('div', { class: 'editor', 'data-testid': 'editor' });
    const consoleBox = h('section', { class: 'test-console', 'aria-labelledby': 'console-title', 'data-testid': 'test-console' });
    const result = h('section', { class: 'result', 'aria-labelledby': 'result-title', 'data-testid': 'result' });
    const historyList = h('ol', { class: 'history-list', 'data-testid': 'history' });

    const workspace = h('section', { class: 'workspace', 'aria-label': 'Your solution' },
      h('div', { class: 'toolbar' },
        h('label', { for: 'language' }, 'Language'), select, resetBtn, h('span', { class: 'toolbar-actions' }, runBtn, submitBtn)),
      editorBox,
      h('p', { id: 'editor-help', class: 'help' }, 'Ctrl+\' (⌘+\') runs your code on the samples and your inputs; Ctrl+Enter (⌘+Enter) submits. Tab indents; press Esc, then Tab, to move on from the editor.'),
      formError,
      consoleBox,
      result,
      h('section', { class: 'history', 'aria-labelledby': 'history-title' },
        h('h2', { id: 'history-title' }, 'Your submissions'), historyList));

    replace(main, h('div', { class: 'columns' }, statement, workspace));
    heading.focus();

    editor = createEditor(editorBox, {
      doc: draft(lang), language: lang, label: `Code editor, ${langName(lang)}`,
      onChange: (text) => saveDraft(text),
      onSubmit: submit,
    });

    const runner = testConsole(consoleBox, {
      question, user, samples: samples.length,
      code: () => editor.text, language: () => lang, runButton: runBtn, onError,
    });
    cleanups.push(() => runner.destroy());
    // Ctrl+' (Cmd+' on macOS) runs, wherever the focus is on the page.
    const onKey = (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && (ev.key === "'" || ev.code === 'Quote')) {
        ev.preventDefault();
        runner.run();
      }
    };
    document.addEventListener('keydown', onKey);
    cleanups.push(() => document.removeEventListener('keydown', onKey));

    async function submit() {
      if (submitBtn.disabled || !lang) return;
      formError.textContent = '';
      const code = editor.text;
      if (!code.trim()) {
        formError.textContent = 'The editor is empty: write your solution first.';
        return;
      }
      submitBtn.disabled = true;
      submitBtn.textContent = 'Submitting…';
      try {
        const body = { question_id: question.id, language: lang, code };
        if (inContest()) body.contest_id = contest.id;
        const s = await api('POST', '/api/submissions', body);
        live.put(s);
        select_(s.id);
        announce('Submitted. Your code is being judged.');
      } catch (err) {
        if (err.status === 401) onError(err, formError);
        else formError.textContent = `Not submitted: ${err.message}`;
      } finally {
        submitBtn.disabled = false;
        submitBtn.textContent = 'Submit';
      }
    }

    function switchLanguage(id) {
      clearTimeout(saveTimer);
      store.set(draftKey(lang), editor.text); // the old language's draft, as it is now
      lang = id;
      store.set(`codementor:lang:${user}`, id);
      editor.setLanguage(id);
      editor.setText(draft(id));
      editor.view.contentDOM.setAttribute('aria-label', `Code editor, ${langName(id)}`);
    }

    function reset() {
      editor.setText(question.starter_code?.[lang] ?? '');
      editor.focus();
    }

    // The result and history follow the live submissions of this question.
    const drawHistory = () => {
      const subs = live.forQuestion(question.id);
      if (!subs.length) {
        replace(historyList, h('li', { class: 'muted' }, 'None yet. Your submissions of this question appear here, with their code.'));
        return;
      }
      replace(historyList, subs.map((s, i) => h('li', {},
        h('button', {
          type: 'button', class: 'history-item', 'data-testid': 'history-item', 'data-id': s.id,
          'aria-pressed': String(s.id === selected), onclick: () => select_(s.id),
        },
        h('span', { class: `verdict-chip tone-${tone(s.verdict || s.status)}` }, h('span', { 'aria-hidden': 'true' }, mark(s.verdict || s.status) + ' '), s.verdict ? verdictName(s.verdict) : statusName(s)),
        h('span', { class: 'history-meta' }, langName(s.language),
          s.verdict && s.max_score ? h('span', { class: 'muted' }, ` · ${s.score || 0} / ${s.max_score}`) : null,
          s.contest_id ? h('span', { class: 'chip-contest', title: `In contest ${s.contest_id}` }, 'Contest') : null),
        h('time', { datetime: s.created_at, title: fullTime(s.created_at) }, ago(s.created_at)),
        h('span', { class: 'sr-only' }, `, submission ${subs.length - i}`)))));
    };

    const resultView = resultPanel(result, {
      langName,
      subtasks: () => question.subtasks || [],
      onLoadCode: (s) => {
        if (s.language !== lang) {
          select.value = s.language;
          switchLanguage(s.language);
        }
        editor.setText(s.code);
        editor.focus();
        announce('Loaded that submission’s code into the editor. Ctrl+Z undoes it.');
      },
    });

    function select_(sid) {
      selected = sid;
      resultView.show(live.get(sid));
      drawHistory();
    }

    cleanups.push(live.onChange((s) => {
      if (s.question_id !== question.id) return;
      drawHistory();
      if (s.id === selected) {
        resultView.show(s);
        tell(s);
      }
    }));
    const latest = live.forQuestion(question.id)[0];
    if (latest) select_(latest.id);
    else {
      resultView.show(null);
      drawHistory();
    }
  }

  // tell announces a verdict and a finished review once each.
  function tell(s) {
    const said = announced[s.id] || {};
    if (s.verdict && !said.verdict) {
      said.verdict = true;
      const passed = (s.tests || []).filter((t) => t.verdict === 'accepted').length;
      announce(`${verdictName(s.verdict)}: ${passed} of ${s.test_count} tests passed${s.max_score ? `, ${s.score || 0} of ${s.max_score} points` : ''}.`);
    } else if (s.status === 'failed' && !said.verdict) {
      said.verdict = true;
      announce(`Judging failed: ${s.error || 'unknown error'}`);
    } else if (s.review && ['done', 'failed', 'skipped'].includes(s.review.status) && !said.review && s.review.status !== 'skipped') {
      said.review = true;
      announce(s.review.status === 'done' ? 'The review is ready.' : 'The review could not be written.');
    }
    announced[s.id] = said;
  }

  function langName(id) {
    return languages().find((l) => l.id === id)?.name || id;
  }

  function draftKey(l) {
    return `codementor:draft:${user}:${question.id}:${l}`;
  }

  function draft(l) {
    return store.get(draftKey(l)) ?? question.starter_code?.[l] ?? '';
  }

  let saveTimer = 0;
  function saveDraft(text) {
    clearTimeout(saveTimer);
    const key = draftKey(lang);
    saveTimer = setTimeout(() => store.set(key, text), 300);
  }

  return {
    title: 'Question',
    destroy() {
      alive = false;
      clearTimeout(saveTimer);
      if (editor) {
        store.set(draftKey(lang), editor.text);
        editor.destroy();
      }
      for (const f of cleanups) f();
    },
  };
}

function statusName(s) {
  return { queued: 'Queued', running: 'Running', reviewing: 'Judged', done: 'Done', failed: 'Failed' }[s.status] || s.status;
}

// resultPanel shows one submission: its verdict and score, where an
// accepted one stands among the others, its subtasks and a row per
// finished test as they come, compiler output, the review, and its code.
// Parts are redrawn only when they change, so an opened detail stays open
// while the review streams.
function resultPanel(el, { langName, subtasks: subtasksOf, onLoadCode }) {
  const title = h('h2', { id: 'result-title' }, 'Result');
  const meta = h('p', { class: 'muted result-meta' });
  const verdict = h('div', { class: 'verdict', 'data-testid': 'verdict' });
  const rank = h('p', { class: 'percentile', 'data-testid': 'percentile', hidden: true });
  const progress = h('progress', { max: '1', value: '0', class: 'tests-progress', 'aria-label': 'Tests run' });
  const compile = h('div');
  const subtasks = h('div', { class: 'subtasks' });
  const tests = h('div', { class: 'tests' });
  const review = h('section', { class: 'review', 'data-testid': 'review', 'aria-labelledby': 'review-title' });
  const code = h('div');
  replace(el, title, meta, verdict, rank, progress, compile, subtasks, tests, review, code);
  let shown = null; // the submission shown
  const percentiles = new Map(); // submission ID → its percentile, once read
  const reading = new Set(); // submission IDs whose percentile is being read
  const settled = new Set(); // submission IDs whose percentile was read again
  const sig = {};
  const changed = (k, v) => {
    if (sig[k] === v) return false;
    sig[k] = v;
    return true;
  };

  return {
    show(s) {
      el.hidden = !s;
      shown = s;
      if (!s) return;
      if (changed('id', s.id)) {
        for (const k of ['head', 'tests', 'compile', 'review', 'code', 'subtasks']) delete sig[k];
      }
      if (s.percentile) percentiles.set(s.id, s.percentile);
      drawRank(s);
      if (changed('subtasks', `${s.id}|${s.status}|${s.verdict || ''}|${JSON.stringify(s.subtasks || [])}`)) drawSubtasks(s);
      if (changed('head', `${s.id}|${s.status}|${s.verdict}|${(s.tests || []).length}`)) {
        drawHead(s);
      }
      if (changed('compile', s.compile_output || '')) {
        replace(compile, s.compile_output
          ? h('details', { class: 'compile', open: true }, h('summary', {}, 'Compiler output'), h('pre', { tabindex: '0' }, s.compile_output))
          : null);
      }
      if (changed('tests', `${s.id}|${(s.tests || []).length}`)) drawTests(s);
      const r = s.review || {};
      if (changed('review', `${r.status}|${(r.text || '').length}|${r.reason || ''}`)) drawReview(s);
      if (changed('code', s.id)) drawCode(s);
    },
  };

  function drawHead(s) {
    const done = (s.tests || []).length;
    const total = s.test_count || 0;
    replace(meta, `${langName(s.language)} · submitted `, h('time', { datetime: s.created_at, title: fullTime(s.created_at) }, ago(s.created_at)));
    const v = s.verdict;
    verdict.dataset.submission = s.id;
    verdict.dataset.status = s.status;
    verdict.dataset.verdict = v || '';
    verdict.className = `verdict tone-${tone(v || (s.status === 'failed' ? 'failed' : s.status))}`;
    if (v) {
      const passed = (s.tests || []).filter((t) => t.verdict === 'accepted').length;
      const slowest = Math.max(0, ...(s.tests || []).map((t) => t.time_ms || 0));
      replace(verdict, h('span', { class: 'verdict-name' }, h('span', { 'aria-hidden': 'true' }, mark(v) + ' '), verdictName(v)),
        s.max_score ? h('span', { class: 'score' }, h('span', { class: 'score-label' }, 'Score '),
          h('span', { class: 'score-value', 'data-testid': 'score' }, `${s.score || 0} / ${s.max_score}`)) : null,
        h('span', { class: 'verdict-detail' }, v === 'compilation_error'
          ? 'Your code did not compile: see the compiler’s output below.'
          : `${passed} of ${total} tests passed${slowest ? ` · slowest ${slowest} ms` : ''}`));
    } else if (s.status === 'failed') {
      replace(verdict, h('span', { class: 'verdict-name' }, h('span', { 'aria-hidden': 'true' }, '✗ '), 'Not judged'),
        h('span', { class: 'verdict-detail' }, s.error || 'Judging failed.'));
    } else if (s.status === 'running') {
      replace(verdict, h('span', { class: 'verdict-name' }, 'Running'), h('span', { class: 'verdict-detail' }, total ? `${done} of ${total} tests run…` : 'Compiling…'));
    } else {
      replace(verdict, h('span', { class: 'verdict-name' }, 'Queued'), h('span', { class: 'verdict-detail' }, 'Waiting for a judge…'));
    }
    progress.max = String(Math.max(total, 1));
    progress.value = String(done);
    progress.hidden = !!v || s.status === 'failed';
  }

  // drawRank says where an accepted submission stands among the accepted
  // submissions of its question in its language. The statistics count it
  // a moment after its verdict: its percentile is read until they do.
  function drawRank(s) {
    const p = percentiles.get(s.id);
    if (s.verdict !== 'accepted') {
      rank.hidden = true;
      return;
    }
    if (!p) {
      rank.hidden = true;
      readPercentile(s.id);
      return;
    }
    // The language's family: "Python" for "Python 3", "C++" for "C++17 (g++)".
    const lang = langName(p.language).replace(/\s*\(.*\)$/, '').replace(/\s*\d+$/, '');
    // Whole percents, never rounded up: "faster than 82%" is true.
    const text = `Faster than ${Math.floor(p.faster_than)}% of accepted ${lang} submissions · less memory than ${Math.floor(p.less_memory_than)}%`;
    if (rank.textContent !== text) rank.textContent = text;
    rank.dataset.submission = s.id;
    rank.title = `Among ${p.among} accepted ${lang} ${p.among === 1 ? 'submission' : 'submissions'} of this question`;
    rank.hidden = false;
  }

  async function readPercentile(id) {
    if (reading.has(id)) return;
    reading.add(id);
    try {
      for (const wait of [0, 500, 1000, 2000, 4000, 8000]) {
        if (wait) await new Promise((res) => setTimeout(res, wait));
        if (shown?.id !== id) return;
        try {
          const full = await api('GET', `/api/submissions/${encodeURIComponent(id)}`);
          if (full.percentile) {
            percentiles.set(id, full.percentile);
            if (shown?.id === id) drawRank(shown);
            // The statistics may not count this one yet: read once more
            // when they have had a moment to.
            if (!settled.has(id)) {
              settled.add(id);
              reading.delete(id);
              setTimeout(() => { if (shown?.id === id) readPercentile(id); }, 2000);
            }
            return;
          }
        } catch {
          // read again after the next wait
        }
      }
    } finally {
      reading.delete(id);
    }
  }

  // drawSubtasks shows the question's subtasks, each with its verdict and
  // points as it finishes; those still to come wait.
  function drawSubtasks(s) {
    const defs = subtasksOf();
    const results = s.subtasks || [];
    if (!defs.length && !results.length) {
      replace(subtasks);
      return;
    }
    const byIndex = new Map(results.map((r) => [r.index, r]));
    const n = Math.max(defs.length, ...results.map((r) => r.index + 1));
    const rows = [];
    for (let i = 0; i < n; i++) {
      const r = byIndex.get(i);
      const d = defs[i] || {};
      const count = (r?.tests || d.tests || []).length;
      const waiting = s.status === 'failed' || s.verdict ? 'Not run' : 'Waiting…';
      rows.push(h('tr', { 'data-testid': 'subtask-row', 'data-index': String(i), 'data-verdict': r?.verdict || '', class: `tone-${r ? tone(r.verdict) : 'wait'}` },
        h('th', { scope: 'row' }, r?.name || d.name || `Subtask ${i + 1}`),
        h('td', { class: 'num' }, count ? String(count) : '—'),
        h('td', { class: 'test-verdict' }, r ? [h('span', { 'aria-hidden': 'true' }, mark(r.verdict) + ' '), verdictName(r.verdict)] : h('span', { class: 'muted' }, waiting)),
        h('td', { class: 'num', 'data-testid': 'subtask-points' }, r ? `${r.earned} / ${r.points}` : `— / ${d.points ?? '?'}`)));
    }
    replace(subtasks, h('table', { class: 'tests-table subtasks-table' },
      h('caption', {}, 'Subtasks'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Subtask'), h('th', { scope: 'col', class: 'num' }, 'Tests'),
        h('th', { scope: 'col' }, 'Verdict'), h('th', { scope: 'col', class: 'num' }, 'Points'))),
      h('tbody', {}, rows)));
  }

  function drawTests(s) {
    const results = s.tests || [];
    if (!results.length) {
      replace(tests);
      return;
    }
    let samplesSeen = 0;
    let openedOne = false;
    let hiddenShown = false;
    const rows = [];
    for (const t of results) {
      const name = t.hidden ? `Hidden test ${t.index + 1}` : `Sample ${++samplesSeen}`;
      const failed = t.verdict !== 'accepted' && t.verdict !== 'skipped';
      const why = t.message || (t.signal ? `Killed by ${t.signal}` : '');
      rows.push(h('tr', { 'data-testid': 'test-row', 'data-verdict': t.verdict, 'data-hidden': String(!!t.hidden), class: `tone-${tone(t.verdict)}` },
        h('th', { scope: 'row' }, `${t.index + 1}`),
        h('td', {}, t.hidden ? 'Hidden' : `Sample ${samplesSeen}`),
        h('td', { class: 'test-verdict', title: why || undefined }, h('span', { 'aria-hidden': 'true' }, mark(t.verdict) + ' '), verdictName(t.verdict)),
        h('td', { class: 'num' }, t.verdict === 'skipped' ? '—' : `${t.time_ms} ms`),
        h('td', { class: 'num' }, t.verdict === 'skipped' ? '—' : memory(t.memory_kb))));
      // Details for every failed sample, and for the first failed hidden
      // test only: the others would repeat that their data is hidden.
      const detail = failed ? !t.hidden || !hiddenShown : false;
      if (t.hidden && failed) hiddenShown = true;
      if (detail) {
        const open = !openedOne;
        openedOne = true;
        rows.push(h('tr', { class: 'test-detail', 'data-testid': 'test-detail' },
          h('td', { colspan: '5' }, h('details', { open },
            h('summary', {}, `${name}: ${why || verdictName(t.verdict)}`),
            t.hidden
              ? h('p', { class: 'muted' }, 'This test is hidden: its input and expected output are not shown.')
              : h('div', { class: 'io io-3' },
                h('div', {}, h('h4', {}, 'Input'), h('pre', { tabindex: '0' }, t.input ?? '')),
                h('div', {}, h('h4', {}, 'Expected output'), h('pre', { tabindex: '0' }, t.expected ?? '')),
                h('div', {}, h('h4', {}, 'Your output'), h('pre', { tabindex: '0', 'data-testid': 'test-output' }, t.output ?? ''))),
            !t.hidden && t.stderr ? h('div', {}, h('h4', {}, 'Standard error'), h('pre', { tabindex: '0' }, t.stderr)) : null))));
      }
    }
    replace(tests, h('table', { class: 'tests-table' },
      h('caption', { class: 'sr-only' }, 'Tests, in the order they ran'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Test'), h('th', { scope: 'col' }, 'Verdict'),
        h('th', { scope: 'col', class: 'num' }, 'Time'), h('th', { scope: 'col', class: 'num' }, 'Memory'))),
      h('tbody', {}, rows)));
  }

  function drawReview(s) {
    const r = s.review || { status: 'pending' };
    review.dataset.status = r.status;
    review.setAttribute('aria-busy', String(r.status === 'running'));
    const lines = {
      pending: s.status === 'failed' ? 'There is no review of a submission that was not judged.' : 'The mentor’s review starts once the tests have run.',
      running: r.text ? 'The mentor is writing…' : 'The mentor is reading your code…',
      done: r.truncated ? `Cut short: ${r.reason || 'the model stopped early'}.` : '',
      failed: `The review could not be written: ${r.reason || 'unknown error'}`,
      // Why (reviews are off, say) is for the operator: the server logs it
      // and /readyz says it.
      skipped: 'No review for this submission.',
    };
    replace(review,
      h('h3', { id: 'review-title' }, 'Review', r.model ? h('span', { class: 'muted model' }, ` · ${r.model}`) : null),
      lines[r.status] ? h('p', { class: `review-status review-${r.status}` }, r.status === 'running' ? h('span', { class: 'pulse', 'aria-hidden': 'true' }) : null, lines[r.status]) : null,
      r.text ? md.into(h('div', { class: 'markdown review-text', 'data-testid': 'review-text' }), r.text, { minHeading: 4 }) : null);
  }

  function drawCode(s) {
    replace(code, h('details', { class: 'code' },
      h('summary', {}, 'Code of this submission'),
      h('pre', { tabindex: '0', 'data-testid': 'submission-code' }, h('code', {}, s.code)),
      h('button', { type: 'button', onclick: () => onLoadCode(s) }, 'Load this code into the editor')));
  }
}

// testConsole is the panel under the editor where the learner runs their
// code without submitting it: on the question's samples and on inputs of
// their own, kept per question in this browser. Each run's cases appear as
// they finish (its stream is a submission's), each with its verdict ("Ran"
// when nothing says what the output should be), its output, standard error,
// time and memory, and, where an expected output is known, that and a line
// diff. A run in flight disables Run; the next run replaces its results.
function testConsole(el, { question, user, samples, code, language, runButton, onError }) {
  const key = `codementor:inputs:${user}:${question.id}`;
  let inputs = [];
  try {
    const saved = JSON.parse(store.get(key) || '[]');
    if (Array.isArray(saved)) inputs = saved.filter((x) => typeof x === 'string').slice(0, MAX_INPUTS);
  } catch {
    // a draft from elsewhere: start again
  }
  // Typing is saved after a pause; adding and removing, and leaving the
  // page, at once.
  let saveTimer = 0;
  const flush = () => {
    clearTimeout(saveTimer);
    store.set(key, JSON.stringify(inputs));
  };
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, 300);
  };
  window.addEventListener('pagehide', flush);

  const list = h('ol', { class: 'run-inputs', 'data-testid': 'run-inputs' });
  const addBtn = h('button', { type: 'button', 'data-testid': 'run-add-input', onclick: () => add('') }, '+ Add input');
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'run-error' });
  const results = h('section', {
    class: 'run-result', 'data-testid': 'run-result', 'aria-labelledby': 'run-title', 'aria-live': 'polite', 'aria-busy': 'false', hidden: true,
  });
  const sampleWord = samples === 1 ? 'the sample test' : `the ${samples} sample tests`;
  replace(el,
    h('h2', { id: 'console-title' }, 'Test console'),
    h('p', { class: 'help', id: 'console-help' }, samples
      ? `Run tries your code on ${sampleWord} and on the inputs you add here. A run is not a submission: it is not judged on the hidden tests and does not count in your history.`
      : 'Run tries your code on the inputs you add here. A run is not a submission: it does not count in your history.'),
    list,
    h('p', { class: 'run-input-actions' }, addBtn),
    error,
    results);

  function drawInputs(focus) {
    replace(list, inputs.map((text, i) => {
      const id = `run-input-${i}`;
      const area = h('textarea', {
        id, rows: String(Math.min(8, Math.max(2, text.split('\n').length))), spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
        class: 'run-input', 'data-testid': 'run-input', 'aria-describedby': 'console-help',
        oninput: () => { inputs[i] = area.value; save(); },
      });
      area.value = text;
      const item = h('li', { class: 'run-input-item' },
        h('div', { class: 'run-input-head' },
          h('label', { for: id }, `Input ${i + 1}`),
          h('button', { type: 'button', class: 'link', 'data-testid': 'run-remove-input', 'aria-label': `Remove input ${i + 1}`, onclick: () => remove(i) }, 'Remove')),
        area);
      return item;
    }));
    addBtn.disabled = inputs.length >= MAX_INPUTS;
    addBtn.title = addBtn.disabled ? `At most ${MAX_INPUTS} inputs run at once` : '';
    if (focus !== undefined) {
      const areas = list.querySelectorAll('textarea');
      if (areas[focus]) areas[focus].focus();
      else addBtn.focus();
    }
  }

  function add(text) {
    if (inputs.length >= MAX_INPUTS) return;
    inputs.push(text);
    flush();
    drawInputs(inputs.length - 1);
  }

  function remove(i) {
    inputs.splice(i, 1);
    flush();
    drawInputs(Math.min(i, inputs.length - 1) >= 0 ? Math.min(i, inputs.length - 1) : -1);
    announce(`Input ${i + 1} removed.`);
  }
  drawInputs();

  let alive = true;
  let busy = false;
  let stop = null; // stops following the run shown
  const view = runResults(results);

  function setBusy(b) {
    busy = b;
    runButton.disabled = b;
    runButton.textContent = b ? 'Running…' : 'Run';
    results.setAttribute('aria-busy', String(b));
  }

  async function run() {
    if (busy || runButton.disabled) return;
    error.textContent = '';
    const text = code();
    if (!text.trim()) {
      error.textContent = 'The editor is empty: write your code first.';
      return;
    }
    if (!samples && !inputs.length) {
      error.textContent = 'This question shows no sample tests: add an input to run your code on.';
      return;
    }
    setBusy(true);
    stop?.();
    // A textarea rarely ends its last line; programs that read lines expect
    // it to.
    const sent = inputs.map((x) => (x === '' || x.endsWith('\n') ? x : x + '\n'));
    let r;
    try {
      r = await api('POST', '/api/runs', { question_id: question.id, language: language(), code: text, inputs: sent });
    } catch (err) {
      if (!alive) return;
      setBusy(false);
      if (err.status === 401) onError(err, error);
      else error.textContent = `Not run: ${err.message}`;
      return;
    }
    if (!alive) return;
    announce('Running your code…');
    show(r);
    if (final(r)) return;
    stop = live.follow(`/api/runs/${encodeURIComponent(r.id)}/events`, (s) => { if (alive) show(s); }, () => poll(r.id));
  }

  // poll reads the run's state until it is final, when its stream was
  // refused (a proxy that does not pass streams, say).
  async function poll(id) {
    let stopped = false;
    stop = () => { stopped = true; };
    while (alive && !stopped) {
      try {
        const s = await api('GET', `/api/runs/${encodeURIComponent(id)}`);
        if (!alive || stopped) return;
        show(s);
        if (final(s)) return;
      } catch (err) {
        if (!alive || stopped) return;
        if (err.status === 0 || err.status >= 500) {
          // try again below
        } else {
          setBusy(false);
          error.textContent = `The run's results are lost: ${err.message}`;
          return;
        }
      }
      await new Promise((res) => setTimeout(res, 1500));
    }
  }

  function final(s) {
    return s.status === 'done' || s.status === 'failed';
  }

  function show(s) {
    view.show(s);
    if (final(s)) {
      setBusy(false);
      announce(summary(s));
    }
  }

  return {
    run,
    destroy() {
      alive = false;
      stop?.();
      window.removeEventListener('pagehide', flush);
      flush();
    },
  };
}

// caseName names a run's case: "Sample n" or "Input n", counted apart.
function caseNames(tests) {
  let sample = 0;
  let custom = 0;
  return tests.map((t) => (t.source === 'custom' ? `Input ${++custom}` : `Sample ${++sample}`));
}

// ran reports whether a case only ran: nothing said what its output should
// be, and it ended well.
const ran = (t) => t.unchecked && t.verdict === 'accepted';

// summary says in a sentence how a finished run went.
function summary(s) {
  if (s.status === 'failed') return `Not run: ${s.error || 'the judge failed'}.`;
  if (s.verdict === 'compilation_error') return 'Compilation error: your code did not compile.';
  return `${runVerdict(s).name}: ${counts(s)}`;
}

// counts says how many cases passed, and how many only ran.
function counts(s) {
  const tests = s.tests || [];
  const checked = tests.filter((t) => !t.unchecked);
  const passed = checked.filter((t) => t.verdict === 'accepted').length;
  const parts = [];
  if (checked.length) parts.push(`${passed} of ${checked.length} ${checked.length === 1 ? 'case' : 'cases'} passed`);
  const only = tests.length - checked.length;
  if (only) parts.push(`${only} ${only === 1 ? 'input' : 'inputs'} ran without an expected output`);
  const slowest = Math.max(0, ...tests.map((t) => t.time_ms || 0));
  return `${parts.join('; ') || 'nothing ran'}${slowest ? ` · slowest ${slowest} ms` : ''}.`;
}

// runVerdict is how the run as a whole reads: the first failure, Accepted
// when every checked case passed, or Ran when no case was checked.
function runVerdict(s) {
  const tests = s.tests || [];
  const failed = tests.find((t) => t.verdict !== 'accepted' && t.verdict !== 'skipped');
  if (s.verdict && s.verdict !== 'accepted') return { name: verdictName(s.verdict), tone: tone(s.verdict) };
  if (failed) return { name: verdictName(failed.verdict), tone: 'bad' };
  if (tests.length && tests.every(ran)) return { name: 'Ran', tone: 'neutral' };
  return { name: verdictName(s.verdict || 'accepted'), tone: 'ok' };
}

// runResults shows one run at a time: its status, compiler output, and a
// card per finished case. Cards are added as cases finish, not redrawn, so
// that what the learner opened stays open.
function runResults(el) {
  const title = h('h3', { id: 'run-title' }, 'Run result');
  const status = h('div', { class: 'run-status', 'data-testid': 'run-status' });
  const compile = h('div');
  const cases = h('div', { class: 'run-cases' });
  replace(el, title, status, compile, cases);
  let shown = ''; // the run shown
  let drawn = []; // signature of each case's card

  return {
    show(s) {
      el.hidden = false;
      if (s.id !== shown) {
        shown = s.id;
        drawn = [];
        replace(cases);
      }
      el.dataset.run = s.id;
      el.dataset.status = s.status;
      el.dataset.verdict = s.verdict || '';
      drawStatus(s);
      replace(compile, s.compile_output
        ? h('details', { class: 'compile', open: s.verdict === 'compilation_error' }, h('summary', {}, 'Compiler output'),
          h('pre', { tabindex: '0', 'data-testid': 'run-compile' }, s.compile_output))
        : null);
      const tests = s.tests || [];
      const names = caseNames(tests);
      tests.forEach((t, i) => {
        const sig = JSON.stringify([t.verdict, t.time_ms, t.memory_kb, (t.output || '').length, (t.stderr || '').length, t.message || '']);
        if (drawn[i] === sig) return;
        const card = caseCard(t, names[i]);
        if (cases.children[i]) cases.children[i].replaceWith(card);
        else cases.append(card);
        drawn[i] = sig;
      });
    },
  };

  function drawStatus(s) {
    const tests = s.tests || [];
    const total = s.test_count || (s.run ? (s.run.cases || []).length : 0) || tests.length;
    let name;
    let detail;
    let t = 'wait';
    if (s.status === 'failed') {
      name = 'Not run';
      detail = s.error || 'The judge failed to run your code.';
      t = 'bad';
    } else if (s.status === 'done' || s.verdict) {
      const v = runVerdict(s);
      name = v.name;
      t = v.tone;
      detail = s.verdict === 'compilation_error' ? 'Your code did not compile: see the compiler’s output below.' : counts(s);
    } else if (s.status === 'running') {
      name = 'Running';
      detail = total ? `${tests.length} of ${total} cases run…` : 'Compiling…';
    } else {
      name = 'Queued';
      detail = 'Waiting for a judge…';
    }
    status.className = `run-status verdict tone-${t}`;
    replace(status, h('span', { class: 'verdict-name' }, t !== 'wait' && t !== 'neutral' ? h('span', { 'aria-hidden': 'true' }, mark(t === 'ok' ? 'accepted' : 'failed') + ' ') : null, name),
      h('span', { class: 'verdict-detail' }, detail));
  }
}

// caseCard shows one case of a run.
function caseCard(t, name) {
  const onlyRan = ran(t);
  const failed = !onlyRan && t.verdict !== 'accepted' && t.verdict !== 'skipped';
  const hasExpected = typeof t.expected === 'string' && !t.unchecked;
  const why = t.message || (t.signal ? `Killed by ${t.signal}` : '');
  const badge = onlyRan ? 'Ran' : verdictName(t.verdict);
  const badgeTone = onlyRan ? 'neutral' : tone(t.verdict);
  const stats = t.verdict === 'skipped' ? 'not run' : `${t.time_ms ?? 0} ms · ${memory(t.memory_kb)}`;
  const pre = (text, testid) => h('pre', { tabindex: '0', 'data-testid': testid }, text ?? '');
  let diff = null;
  if (hasExpected && t.verdict !== 'skipped') {
    const d = lineDiff(t.expected, t.output ?? '');
    if (differs(d)) {
      diff = h('details', { class: 'run-diff', open: failed },
        h('summary', {}, 'Differences ', h('span', { class: 'muted' }, '(− expected, + your output)')),
        h('pre', { tabindex: '0', 'data-testid': 'run-diff', 'aria-label': `Differences between the expected output and yours, ${name}` },
          d.map((l) => h('span', { class: `diff-line diff-${{ ' ': 'same', '-': 'del', '+': 'add' }[l.op]}`, 'data-op': l.op },
            h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, l.op === '-' ? '−' : l.op), h('span', { class: 'sr-only' }, { ' ': '', '-': 'expected only: ', '+': 'yours only: ' }[l.op]),
            h('span', { class: 'diff-text' }, l.text)))));
    } else if (failed && t.verdict === 'wrong_answer') {
      diff = h('p', { class: 'muted' }, 'Your lines match the expected ones but for spaces at their ends or blank lines.');
    } else {
      diff = h('p', { class: 'muted run-match' }, 'Your output matches the expected output.');
    }
  }
  return h('article', {
    class: `run-case tone-${badgeTone}`, 'data-testid': 'run-case', 'data-index': String(t.index), 'data-source': t.source || 'sample',
    'data-verdict': t.verdict, 'data-unchecked': String(!!t.unchecked), 'aria-label': `${name}: ${badge}`,
  },
  h('header', { class: 'run-case-head' },
    h('h4', {}, name),
    h('span', { class: `verdict-chip tone-${badgeTone}`, 'data-testid': 'run-case-verdict' },
      onlyRan ? null : h('span', { 'aria-hidden': 'true' }, mark(t.verdict) + ' '), badge),
    h('span', { class: 'muted run-stats' }, stats)),
  why ? h('p', { class: failed ? 'run-message' : 'run-message muted' }, why) : null,
  t.exit_code ? h('p', { class: 'muted run-exit' }, `Exit code ${t.exit_code}`) : null,
  h('div', { class: 'io' },
    h('div', {}, h('h5', {}, 'Input'), pre(t.input, 'run-case-input')),
    hasExpected ? h('div', {}, h('h5', {}, 'Expected output'), pre(t.expected, 'run-expected')) : null,
    h('div', {}, h('h5', {}, 'Your output'), pre(t.output, 'run-output'))),
  diff,
  t.stderr ? h('div', { class: 'run-stderr' }, h('h5', {}, 'Standard error'), pre(t.stderr, 'run-stderr')) : null);
}
