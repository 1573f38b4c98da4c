// CodeMentor's learner page: sign in, pick a question, solve it, and watch
// the verdict and the review arrive live; take part in contests and follow
// their leaderboards; see one's progress. Addresses are real paths (/,
// /questions/<id>, /contests, /contests/<id>, /me, /signin) that the server
// answers with this page.
import './style.css';
import { h, replace } from './dom.js';
import { api, ApiError } from './api.js';
import * as live from './live.js';
import { signInView } from './views/signin.js';
import { listView } from './views/list.js';
import { questionView } from './views/question.js';
import { contestsView } from './views/contests.js';
import { contestView } from './views/contest.js';
import { profileView } from './views/profile.js';
import { notFound } from './views/notfound.js';

const app = document.getElementById('app');
const header = h('header', { class: 'topbar' });
const view = h('div', { class: 'view' });
replace(app, header, view);

let config = { dev_auth: false };
let session = null; // {user, admin}
let languages = [];
let current = null;
let signInMessage = ''; // shown once on the sign-in form: why the learner is there

function navigate(path, { replace: rep = false } = {}) {
  if (rep) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

// Links marked data-link change the view without loading the page again.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-link]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', () => route());

function drawHeader() {
  const conn = h('span', { class: 'conn', 'data-testid': 'connection', role: 'status' });
  replace(header,
    h('a', { class: 'brand', href: '/', 'data-link': true }, h('span', { 'aria-hidden': 'true', class: 'logo' }, '{ }'), h('span', { class: 'brand-name' }, 'CodeMentor')),
    session ? h('nav', { 'aria-label': 'Main', class: 'main-nav' },
      h('a', { href: '/', 'data-link': true, 'data-section': 'questions' }, 'Questions'),
      h('a', { href: '/contests', 'data-link': true, 'data-section': 'contests' }, 'Contests'),
      h('a', { href: '/me', 'data-link': true, 'data-section': 'me' }, 'Progress')) : null,
    h('span', { class: 'spacer' }),
    session ? conn : null,
    session ? h('span', { class: 'who', title: `Signed in as ${session.user}` }, h('span', { class: 'sr-only' }, 'Signed in as '), session.user) : null,
    session ? h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out') : null);
  if (session) {
    stopConn?.();
    stopConn = live.onState((st) => {
      conn.dataset.state = st;
      conn.textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline', closed: '' }[st];
    });
  }
}
let stopConn = null;

async function signOut() {
  try {
    await api('DELETE', '/api/session');
  } catch {
    // signed out locally either way
  }
  endSession('You have signed out.');
}

function endSession(message) {
  session = null;
  signInMessage = message;
  live.disconnect();
  drawHeader();
  navigate('/signin', { replace: true });
}

async function onSignedIn(who) {
  session = who;
  await startSession();
  const next = new URLSearchParams(location.search).get('next');
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
}

async function startSession() {
  drawHeader();
  live.connect(async () => {
    // The stream was refused: the session may have ended.
    try {
      await api('GET', '/api/session');
      setTimeout(() => session && live.connect(), 3000);
    } catch (err) {
      if (err.status === 401) endSession('Your session has ended: sign in again.');
      else setTimeout(() => session && live.connect(), 3000);
    }
  });
  await loadLanguages();
}

async function loadLanguages() {
  try {
    languages = await api('GET', '/api/languages');
  } catch {
    languages = [];
  }
}

// retryable reports whether trying again may help: the server could not be
// reached, or it failed (5xx). A 4xx would only be answered the same again.
export const retryable = (err) => !(err instanceof ApiError) || err.status === 0 || err.status >= 500;

// onError shows what went wrong where the view was going to be, with "Try
// again" where that may help, and a way back to the list; a 401 means the
// session ended.
function onError(err, el) {
  if (err instanceof ApiError && err.status === 401) {
    endSession('Your session has ended: sign in again.');
    return;
  }
  if (!el) return;
  const box = h('div', { class: 'form-error load-error', role: 'alert', 'data-testid': 'load-error' },
    h('p', {}, err.message || String(err)),
    h('p', { class: 'actions' },
      retryable(err) ? h('button', { type: 'button', onclick: () => route() }, 'Try again') : null,
      h('a', { href: '/', 'data-link': true }, 'See all questions')));
  el.replaceWith(box);
}

function show(make, props) {
  current?.destroy();
  current = make(view, props);
  document.title = `${current.title} · CodeMentor`;
}

// markSection tells, in the header's navigation, which part of the app the
// address is in: the questions (a question in a contest is the contest's),
// the contests, or the learner's progress.
function markSection(path, search) {
  let section = '';
  if (path === '/' || (path.startsWith('/questions/') && !new URLSearchParams(search).get('contest'))) section = 'questions';
  else if (path === '/contests' || path.startsWith('/contests/') || path.startsWith('/questions/')) section = 'contests';
  else if (path === '/me') section = 'me';
  for (const a of header.querySelectorAll('nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', path === a.getAttribute('href') ? 'page' : 'true');
    else a.removeAttribute('aria-current');
  }
}

function setTitle(t) {
  document.title = `${t} · CodeMentor`;
}

function route() {
  // The server moves /questions/x/ to /questions/x; an address the app
  // made itself might still end in a slash.
  if (location.pathname.length > 1 && location.pathname.endsWith('/')) {
    history.replaceState(null, '', location.pathname.replace(/\/+$/, '') + location.search);
  }
  const path = location.pathname;
  markSection(path, location.search);
  if (!session) {
    if (path !== '/signin') history.replaceState(null, '', `/signin${path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`);
    show(signInView, { config, message: signInMessage, onSignedIn });
    signInMessage = '';
    return;
  }
  const q = /^\/questions\/([^/]+)$/.exec(path);
  if (q) {
    if (!languages.length) {
      // No judge had announced its languages at sign-in: ask again.
      loadLanguages().then(() => { if (location.pathname === path && languages.length) route(); });
    }
    const contest = new URLSearchParams(location.search).get('contest') || '';
    show(questionView, { id: decodeURIComponent(q[1]), contest, user: session.user, languages: () => languages, onError, setTitle });
    return;
  }
  const c = /^\/contests\/([^/]+)$/.exec(path);
  if (c) {
    show(contestView, { id: decodeURIComponent(c[1]), user: session.user, onError, setTitle });
    return;
  }
  if (path === '/contests') {
    show(contestsView, { onError });
    return;
  }
  if (path === '/me') {
    show(profileView, { user: session.user, onError });
    return;
  }
  if (path === '/signin') {
    history.replaceState(null, '', '/');
  } else if (path !== '/') {
    current?.destroy();
    const { main, heading } = notFound();
    replace(view, main);
    heading.focus();
    document.title = 'Not found · CodeMentor';
    current = { destroy() {} };
    return;
  }
  show(listView, { onError });
}

async function boot() {
  try {
    config = await api('GET', '/api/config');
  } catch (err) {
    replace(view, h('main', { id: 'main', class: 'narrow' }, h('h1', {}, 'CodeMentor is not reachable'),
      h('p', { role: 'alert' }, err.message), h('button', { type: 'button', onclick: () => location.reload() }, 'Try again')));
    return;
  }
  try {
    session = await api('GET', '/api/session');
    await startSession();
  } catch (err) {
    session = null;
  }
  drawHeader();
  route();
}

boot();
