// The sign-in page: a name in dev mode (anyone may sign in as anyone: for
// trying CodeMentor on one machine), an access token otherwise.
import { h, replace } from '../dom.js';
import { api, ApiError } from '../api.js';

const userPattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function signInView(root, { config, message, onSignedIn }) {
  const error = h('p', { class: 'form-error', id: 'signin-error', role: 'alert' });
  const dev = config.dev_auth;
  const input = dev
    ? h('input', { id: 'user', name: 'user', type: 'text', autocomplete: 'username', required: true, maxlength: 64,
      autocapitalize: 'off', spellcheck: 'false', 'aria-describedby': 'user-help signin-error', 'data-testid': 'signin-user' })
    : h('textarea', { id: 'token', name: 'token', rows: 4, required: true, spellcheck: 'false', 'aria-describedby': 'token-help signin-error', 'data-testid': 'signin-token' });
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'signin-submit' }, 'Sign in');
  const form = h('form', { class: 'card signin', novalidate: true, onsubmit: submit },
    h('h1', { tabindex: '-1' }, 'Sign in to CodeMentor'),
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    dev
      ? [h('label', { for: 'user' }, 'Your name'), input,
        h('p', { id: 'user-help', class: 'help' }, 'Letters, digits, ".", "_", "-" or "@". This is the development sign-in: no password, so use it only on your own machine.')]
      : [h('label', { for: 'token' }, 'Access token'), input,
        h('p', { id: 'token-help', class: 'help' }, 'Paste the access token your organisation gave you.')],
    error, button);

  async function submit(ev) {
    ev.preventDefault();
    const value = input.value.trim();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (dev && !userPattern.test(value)) {
      fail(value ? 'A name is 1 to 64 letters, digits, ".", "_", "-" or "@", starting with a letter or digit.' : 'Enter your name.');
      return;
    }
    if (!dev && !value) {
      fail('Paste your access token.');
      return;
    }
    button.disabled = true;
    try {
      const who = dev
        ? (await api('POST', '/api/dev/login', { user: value }), await api('GET', '/api/session'))
        : await api('POST', '/api/session', { token: value });
      onSignedIn(who);
    } catch (err) {
      fail(err instanceof ApiError ? err.message : String(err));
    } finally {
      button.disabled = false;
    }
  }

  function fail(text) {
    error.textContent = text;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  replace(root, h('main', { id: 'main', class: 'narrow' }, form));
  input.focus();
  return { title: 'Sign in', destroy() {} };
}
