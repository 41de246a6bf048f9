/**
 * The app's paths. Every path a notification links to opens its screen directly (typed in, on a
 * reload, offline): the server answers them with index.html and the service worker does offline.
 */
import { createSignal } from 'solid-js';

export type Route =
  | { name: 'home' }
  | { name: 'workspace'; id: string }
  | { name: 'members'; id: string }
  | { name: 'dashboard'; id: string }
  | { name: 'decisions'; id: string }
  | { name: 'thread'; id: string }
  | { name: 'decision'; id: string }
  | { name: 'checkpoint'; id: string }
  | { name: 'inbox' }
  | { name: 'profile' }
  | { name: 'invitation'; token: string }
  | { name: 'not-found'; path: string };

const ID = '([A-Za-z0-9_-]{1,128})';
const PATTERNS: Array<[RegExp, (m: RegExpMatchArray) => Route]> = [
  [/^\/$/, () => ({ name: 'home' })],
  [new RegExp(`^/workspaces/${ID}/members$`), (m) => ({ name: 'members', id: m[1] ?? '' })],
  [new RegExp(`^/workspaces/${ID}/dashboard$`), (m) => ({ name: 'dashboard', id: m[1] ?? '' })],
  [new RegExp(`^/workspaces/${ID}/decisions$`), (m) => ({ name: 'decisions', id: m[1] ?? '' })],
  [new RegExp(`^/workspaces/${ID}$`), (m) => ({ name: 'workspace', id: m[1] ?? '' })],
  [new RegExp(`^/threads/${ID}$`), (m) => ({ name: 'thread', id: m[1] ?? '' })],
  [new RegExp(`^/decisions/${ID}$`), (m) => ({ name: 'decision', id: m[1] ?? '' })],
  [new RegExp(`^/checkpoints/${ID}$`), (m) => ({ name: 'checkpoint', id: m[1] ?? '' })],
  [/^\/inbox$/, () => ({ name: 'inbox' })],
  [/^\/profile$/, () => ({ name: 'profile' })],
  [new RegExp(`^/invitations/${ID}$`), (m) => ({ name: 'invitation', token: m[1] ?? '' })],
];

export function parseRoute(path: string): Route {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const [pattern, make] of PATTERNS) {
    const m = clean.match(pattern);
    if (m) return make(m);
  }
  return { name: 'not-found', path };
}

const [route, setRoute] = createSignal<Route>(parseRoute(location.pathname));
export { route };

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  setRoute(parseRoute(location.pathname));
}

window.addEventListener('popstate', () => setRoute(parseRoute(location.pathname)));

/** Same-origin link clicks move within the app instead of reloading it. */
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || /^\/(api|files|sync|healthz|metrics)\b/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname);
});
