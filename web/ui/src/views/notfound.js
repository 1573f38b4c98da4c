// The page's "Not found": an address that names nothing, or a question that
// does not exist. It says what was not found and leads back to the list;
// nothing here is worth trying again.
import { h } from '../dom.js';

// notFound returns the view's main element; title is its heading, and home
// the link back (the question list unless said otherwise).
export function notFound({ title = 'Not found', text = 'There is no page at this address.', home = { href: '/', text: 'See all questions' } } = {}) {
  const heading = h('h1', { tabindex: '-1' }, title);
  const main = h('main', { id: 'main', class: 'narrow not-found', 'data-testid': 'not-found' },
    heading,
    h('p', {}, text),
    h('p', {}, h('a', { href: home.href, 'data-link': true, 'data-testid': 'home-link' }, home.text)));
  return { main, heading };
}
