/**
 * Share links in the page: `#sim=<share text>` (formats: the preset codec in
 * `sims/core/share.ts`, the tty codec in `sims/tty/share.ts`). This module knows no model:
 * it reads the link's head (`<model>.<version>.`) and asks the page's players of that
 * model to open it.
 *
 * On page load, and whenever the hash changes to a share link:
 *   1. every player of the link's model (`[data-model="<id>"]`, a widget host or a share
 *      target such as the Prove-it panel) is asked, in page order, to open the link
 *      (`openShare(text, false)`); the first that says `opened` shows the run at its step
 *      (a preset link opens only in the player of its preset; an instructor's "we are at
 *      step 17" lands in the very widget the class is looking at);
 *   2. if none claims it, players that take any parameters get it (`openShare(text, true)`):
 *      the page's share target first, then the first player;
 *   3. if none takes it, the link belongs to another page: a message names the lesson that
 *      has the player (the build-time index of `ShareLinks.astro`) and links there.
 * The page scrolls to the player (instantly under `prefers-reduced-motion`). A link the
 * model rejects (damaged, outdated, does not replay) gets a dismissible message (role=alert)
 * at the top of the lesson and nothing else on the page changes.
 */
import { parseShareHead } from '../../sims/core/share.ts';
import { homeIn, playerKey } from './player-index.ts';

/**
 * What a player offers this module: its host carries `data-model` (the `Model.id` its links
 * start with) and opens share text. Returns `'opened'` when it now shows the run, `'not-mine'`
 * when the link is for another player of the same model (another preset, other parameters),
 * or an error sentence for the learner (a damaged or outdated link), or a promise of one (a
 * player that is still a light render loads its building code first). `any` asks a player
 * that can show any parameters (the tty panel) to take a link no preset player claimed.
 */
export interface SharePlayer extends HTMLElement {
  openShare(text: string, any: boolean): 'opened' | 'not-mine' | string | Promise<'opened' | 'not-mine' | string>;
}

/** The full URL of the current page with `#sim=<text>`. `loc` is usually `location`. */
export function shareUrl(loc: { origin: string; pathname: string }, text: string): string {
  return `${loc.origin}${loc.pathname}#sim=${text}`;
}

/**
 * The share text in a location hash (`#sim=...`), or null when the hash is something else
 * (a heading anchor). Percent-encoding added by a mail or chat program is undone.
 */
export function shareTextOf(hash: string): string | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('sim=')) return null;
  const raw = h.slice(4);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // the decoder will call it damaged
  }
}

const ALERT_CLASS = 'dpl-share-alert';

function removeAlert(): void {
  document.querySelector(`.${ALERT_CLASS}`)?.remove();
}

/** The lesson holding the player a link names (`ShareLinks.astro` writes the index), or null. */
export function homeOf(key: string, doc: Document = document): { href: string; title: string } | null {
  const el = doc.getElementById('dpl-player-index');
  if (!el?.textContent) return null;
  try {
    const data = JSON.parse(el.textContent) as { base?: unknown };
    const home = homeIn(data, key);
    return home && typeof data.base === 'string' ? { href: `${data.base}lessons/${home.slug}/`, title: home.title } : null;
  } catch {
    return null;
  }
}

/**
 * The message for a link whose player is not on this page: which lesson it belongs to, with
 * a link there carrying the same `#sim=` text. `what` names the player ("the memory
 * simulation “translate”").
 */
function elsewhere(what: string, key: string, text: string): AlertMessage {
  const home = homeOf(key);
  if (!home || location.pathname === home.href) return { text: `This link is for ${what}, which is not on this page: the link belongs to another page of the site.` };
  return { text: `This link is for ${what} in the lesson “${home.title}”, not on this page.`, link: { href: `${home.href}#sim=${text}`, text: `Open it in “${home.title}”` } };
}

/** A message for the alert, optionally with a link to follow. */
interface AlertMessage {
  text: string;
  link?: { href: string; text: string };
}

/** The dismissible message for a link that could not be opened. */
function showAlert(message: string | AlertMessage): void {
  const m = typeof message === 'string' ? { text: message } : message;
  removeAlert();
  const box = document.createElement('div');
  box.className = ALERT_CLASS;
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'share-error';
  const p = document.createElement('p');
  const strong = document.createElement('strong');
  strong.textContent = 'This simulation link could not be opened. ';
  p.append(strong, `${m.text} Nothing on this page was changed.`);
  if (m.link) {
    const a = document.createElement('a');
    a.href = m.link.href;
    a.textContent = m.link.text;
    a.dataset.testid = 'share-elsewhere';
    p.append(' ', a);
  }
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => {
    box.remove();
    document.getElementById('main')?.focus({ preventScroll: true });
  });
  box.append(p, dismiss);
  const at = document.querySelector('article.lesson') ?? document.querySelector('main') ?? document.body;
  at.prepend(box);
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Scrolls `el` to the top of the viewport. Widgets above it may grow while a smooth scroll
 * passes them (their diagrams load when they come into view), so once the scroll ends it is
 * checked and corrected without animation.
 */
export function scrollToWidget(el: HTMLElement): void {
  const smooth = !reducedMotion();
  el.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
  if (!smooth) return;
  let done = false;
  const settle = () => {
    if (done) return;
    done = true;
    window.removeEventListener('scrollend', settle);
    const top = el.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.25) el.scrollIntoView({ behavior: 'auto', block: 'start' });
  };
  window.addEventListener('scrollend', settle);
  setTimeout(settle, 1500);
}

/** Opens the share link in the current hash, if there is one. */
async function openFromHash(): Promise<void> {
  const text = shareTextOf(location.hash);
  if (text === null) return;
  const head = parseShareHead(text);
  if ('ok' in head) {
    showAlert(head.error);
    return;
  }
  // The preset a link names, when its third field is a preset name (tty version 1 links name none).
  const named = head.parts.length >= 5 && /^[a-z0-9][a-z0-9-]{0,39}$/.test(head.parts[2]) ? head.parts[2] : '';
  const what = named ? `the simulation “${named}”` : `a “${head.model}” simulation`;
  const players = Array.from(document.querySelectorAll<SharePlayer>(`[data-model="${CSS.escape(head.model)}"]`));
  if (players.length === 0) {
    showAlert(elsewhere(what, playerKey(head.model, named || undefined), text));
    return;
  }
  await Promise.all([...new Set(players.map((p) => p.localName))].map((tag) => customElements.whenDefined(tag)));
  // Players inside a share target are the target's own: ask the target, not them.
  const asked = players.filter((p) => !p.parentElement?.closest('[data-share-target]'));
  const order = [...asked.filter((p) => !p.hasAttribute('data-share-target')), ...asked.filter((p) => p.hasAttribute('data-share-target'))];
  for (const any of [false, true]) {
    const list = any ? [...order.filter((p) => p.hasAttribute('data-share-target')), ...order.filter((p) => !p.hasAttribute('data-share-target'))] : order;
    for (const p of list) {
      if (typeof p.openShare !== 'function') continue;
      const r = await p.openShare(text, any);
      if (r === 'not-mine') continue;
      if (r === 'opened') {
        removeAlert();
        reveal(p);
      } else showAlert(r);
      return;
    }
  }
  showAlert(elsewhere(what, playerKey(head.model, named || undefined), text));
}

function reveal(p: HTMLElement): void {
  scrollToWidget(p);
  p.querySelector<HTMLElement>('[data-part="title"]')?.focus({ preventScroll: true });
}

let started = false;

/** Opens a share link in the hash now and on every later hash change. Call once per page. */
export function initShareLinks(): void {
  if (started) return;
  started = true;
  void openFromHash();
  window.addEventListener('hashchange', () => void openFromHash());
}
