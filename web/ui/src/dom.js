// A small helper to build DOM nodes: h('p', {class: 'x', onclick: f}, 'text', child).
// Text is always set as text, never parsed as HTML: only markdown.js makes HTML,
// and it sanitizes what it makes.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// replace puts children in el instead of what it held.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// announce tells screen-reader users about a change they did not cause by
// moving focus (a verdict arriving, a review finishing).
export function announce(text) {
  let live = document.getElementById('announcer');
  if (!live) {
    live = h('div', { id: 'announcer', class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.append(live);
  }
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

// ago says how long ago an ISO time was, for lists.
export function ago(iso, now = Date.now()) {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, n] of units) if (Math.abs(s) >= n) return rtf.format(Math.round(s / n), unit);
  return Math.abs(s) < 10 ? 'just now' : rtf.format(s, 'second');
}

export function fullTime(iso) {
  return new Date(iso).toLocaleString();
}
