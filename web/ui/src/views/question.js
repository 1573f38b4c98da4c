// The question page: the statement, limits and sample tests beside an editor
// with the language's starter code; Submit; then, live, a row per test as it
// finishes, the verdict, and the review as the model writes it; and the
// learner's earlier submissions of this question, with their code.
import { h, replace, announce, ago, fullTime } from '../dom.js';
import { api } from '../api.js';
import * as live from '../live.js';
import * as md from '../markdown.js';
import { createEditor } from '../editor.js';
import { verdictName, tone, mark, seconds, memory, difficultyName } from '../labels.js';

const store = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode or full: drafts are a convenience */ } },
};

export function questionView(root, { id, user, languages, onError, setTitle }) {
  let alive = true;
  let question = null;
  let editor = null;
  let lang = null;
  let selected = null; // the submission shown under Result
  const announced = {}; // submission id → what was last announced
  const cleanups = [];

  const main = h('main', { id: 'main', class: 'question-page' }, h('p', { class: 'muted', role: 'status' }, 'Loading the question…'));
  replace(root, main);

  (async () => {
    try {
      const [q, history] = await Promise.all([
        api('GET', `/api/questions/${encodeURIComponent(id)}`),
        api('GET', `/api/submissions?question_id=${encodeURIComponent(id)}&limit=100`),
      ]);
      if (!alive) return;
      for (const s of history) live.put(s);
      question = q;
      setTitle(q.title);
      build();
    } catch (err) {
      if (alive) onError(err, main.firstChild);
    }
  })();

  function build() {
    const heading = h('h1', { id: 'q-title', tabindex: '-1' }, question.title);
    const samples = question.tests || [];
    const statement = h('section', { class: 'statement', 'aria-labelledby': 'q-title' },
      h('p', { class: 'back' }, h('a', { href: '/', 'data-link': true }, '← All questions')),
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
    const resetBtn = h('button', { type: 'button', onclick: reset, 'aria-label': 'Reset to the starter code', title: 'Put the starter code back (Ctrl+Z undoes it)' }, 'Reset');
    const formError = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'submit-error' });
    if (!langs.length) {
      select.disabled = true;
      submitBtn.disabled = true;
      formError.textContent = 'No judge is running yet, so no language can be judged. Reload this page once one has started.';
    }
    const editorBox = h('div', { class: 'editor', 'data-testid': 'editor' });
    const result = h('section', { class: 'result', 'aria-labelledby': 'result-title', 'data-testid': 'result' });
    const historyList = h('ol', { class: 'history-list', 'data-testid': 'history' });

    const workspace = h('section', { class: 'workspace', 'aria-label': 'Your solution' },
      h('div', { class: 'toolbar' },
        h('label', { for: 'language' }, 'Language'), select, resetBtn, submitBtn),
      editorBox,
      h('p', { id: 'editor-help', class: 'help' }, 'Ctrl+Enter (⌘+Enter) submits. Tab indents; press Esc, then Tab, to move on from the editor.'),
      formError,
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
        const s = await api('POST', '/api/submissions', { question_id: question.id, language: lang, code });
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
        h('span', {}, langName(s.language)),
        h('time', { datetime: s.created_at, title: fullTime(s.created_at) }, ago(s.created_at)),
        h('span', { class: 'sr-only' }, `, submission ${subs.length - i}`)))));
    };

    const resultView = resultPanel(result, {
      langName,
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
      announce(`${verdictName(s.verdict)}: ${passed} of ${s.test_count} tests passed.`);
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

// resultPanel shows one submission: its verdict, a row per finished test,
// compiler output, the review, and its code. Parts are redrawn only when
// they change, so an opened detail stays open while the review streams.
function resultPanel(el, { langName, onLoadCode }) {
  const title = h('h2', { id: 'result-title' }, 'Result');
  const meta = h('p', { class: 'muted result-meta' });
  const verdict = h('div', { class: 'verdict', 'data-testid': 'verdict' });
  const progress = h('progress', { max: '1', value: '0', class: 'tests-progress', 'aria-label': 'Tests run' });
  const compile = h('div');
  const tests = h('div', { class: 'tests' });
  const review = h('section', { class: 'review', 'data-testid': 'review', 'aria-labelledby': 'review-title' });
  const code = h('div');
  replace(el, title, meta, verdict, progress, compile, tests, review, code);
  const sig = {};
  const changed = (k, v) => {
    if (sig[k] === v) return false;
    sig[k] = v;
    return true;
  };

  return {
    show(s) {
      el.hidden = !s;
      if (!s) return;
      if (changed('id', s.id)) {
        for (const k of ['head', 'tests', 'compile', 'review', 'code']) delete sig[k];
      }
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
      skipped: `No review: ${r.reason || 'reviews are off'}`,
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
