// Markdown for question statements and reviews, with $…$ and $$…$$ math
// typeset by KaTeX. Raw HTML in the source is shown as text, and the result
// is sanitized with DOMPurify: statements come from question authors and
// reviews from a model that reads the learner's code.
import { Marked } from 'marked';
import katex from 'katex';
import DOMPurify from 'dompurify';
import 'katex/dist/katex.min.css';

const escapeHTML = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function tex(src, displayMode) {
  return katex.renderToString(src, { displayMode, throwOnError: false, output: 'htmlAndMathml', trust: false, maxExpand: 1000, maxSize: 20 });
}

const blockMath = {
  name: 'blockMath',
  level: 'block',
  start: (src) => src.match(/^\$\$/m)?.index,
  tokenizer(src) {
    const m = /^\$\$([\s\S]+?)\$\$[^\S\n]*(?:\n|$)/.exec(src);
    if (m) return { type: 'blockMath', raw: m[0], text: m[1].trim() };
  },
  renderer: (t) => `<div class="math-display">${tex(t.text, true)}</div>\n`,
};

// Inline math: $x$ with no space just inside either dollar, so that prices
// ("$5 and $10") stay text.
const inlineMath = {
  name: 'inlineMath',
  level: 'inline',
  start: (src) => src.indexOf('$') < 0 ? undefined : src.indexOf('$'),
  tokenizer(src) {
    const m = /^\$(?![\s$])((?:\\.|[^\\$\n])*?[^\s\\])\$(?!\d)/.exec(src) || /^\$([^\s$\\])\$(?!\d)/.exec(src);
    if (m) return { type: 'inlineMath', raw: m[0], text: m[1] };
  },
  renderer: (t) => tex(t.text, false),
};

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  extensions: [blockMath, inlineMath],
  renderer: {
    html: (t) => escapeHTML(t.text),
  },
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

// render returns sanitized HTML for markdown source.
export function render(src) {
  const html = marked.parse(src || '');
  return DOMPurify.sanitize(html, { ADD_TAGS: ['semantics', 'annotation'], ADD_ATTR: ['encoding'], FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea'] });
}

// into renders markdown source into el. With minHeading, headings move down
// so that the highest is that level (a review's "## Summary" is a section of
// the Review heading, not a sibling of it).
export function into(el, src, { minHeading } = {}) {
  el.innerHTML = render(src);
  if (minHeading) {
    const hs = [...el.querySelectorAll('h1, h2, h3, h4, h5, h6')];
    const top = Math.min(...hs.map((x) => Number(x.tagName[1])));
    const shift = Math.max(0, minHeading - top);
    for (const x of shift ? hs : []) {
      const y = document.createElement(`h${Math.min(6, Number(x.tagName[1]) + shift)}`);
      y.append(...x.childNodes);
      x.replaceWith(y);
    }
  }
  return el;
}
