// The learner's submissions as the server last told them, kept current by
// one EventSource on /api/events (the session cookie signs it in). Every
// event carries a whole submission with a version that grows with each
// change, so a late or repeated event never takes a submission back. After a
// dropped connection the browser reconnects with Last-Event-ID and the
// server sends what changed meanwhile.
const subs = new Map();
const listeners = new Set();
const stateListeners = new Set();
let source = null;
let state = 'closed';

// isRun reports whether s is a run (the Run button's), not a submission: a
// run is never in the learner's history or progress.
export const isRun = (s) => s?.kind === 'run';

// put records s unless what is recorded is newer; it reports a change.
// Runs are not recorded: follow streams them.
export function put(s) {
  if (isRun(s)) return false;
  const cur = subs.get(s.id);
  if (cur && cur.version >= s.version) return false;
  subs.set(s.id, s);
  for (const f of listeners) f(s);
  return true;
}

export function get(id) {
  return subs.get(id);
}

// forQuestion returns the recorded submissions of a question, newest first.
export function forQuestion(qid) {
  return [...subs.values()].filter((s) => s.question_id === qid)
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
}

// onChange calls f with each changed submission until the returned function
// is called.
export function onChange(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function onState(f) {
  stateListeners.add(f);
  f(state);
  return () => stateListeners.delete(f);
}

function setState(s) {
  state = s;
  for (const f of stateListeners) f(s);
}

// connect opens the stream; onClosed is called if the server refuses it for
// good (the session ended).
export function connect(onClosed) {
  disconnect();
  setState('connecting');
  const es = new EventSource('/api/events');
  source = es;
  es.addEventListener('open', () => setState('live'));
  es.addEventListener('submission', (ev) => {
    try {
      put(JSON.parse(ev.data));
    } catch (err) {
      console.error('bad submission event', err);
    }
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The browser gives up on a non-200 answer (401 after the session
      // expired): ask the app what to do, then try again later.
      setState('offline');
      source = null;
      onClosed?.();
    } else {
      setState('reconnecting');
    }
  });
}

// follow streams one submission or run from path (its /events), calling
// onState with each newer state, as the stream of /api/events does: the
// same events, each a whole state whose version only grows. It stops after
// the final state (or the server's "end"), or when the returned function is
// called; onLost is called if the browser gives up on the stream (the
// server refused it), so that the caller may read the state once instead.
export function follow(path, onState, onLost) {
  let version = 0;
  let ended = false;
  const es = new EventSource(path);
  const stop = () => {
    ended = true;
    es.close();
  };
  es.addEventListener('submission', (ev) => {
    let s;
    try {
      s = JSON.parse(ev.data);
    } catch (err) {
      console.error('bad submission event', err);
      return;
    }
    if (s.version <= version) return;
    version = s.version;
    if (s.status === 'done' || s.status === 'failed') stop();
    onState(s);
  });
  // After "end" the server closes the stream: do not reconnect.
  es.addEventListener('end', stop);
  es.addEventListener('error', () => {
    if (!ended && es.readyState === EventSource.CLOSED) {
      ended = true;
      onLost?.();
    }
  });
  return stop;
}

export function disconnect() {
  if (source) source.close();
  source = null;
  subs.clear();
  setState('closed');
}
