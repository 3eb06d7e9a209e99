/**
 * Share links in the page: `#sim=<share text>` (the format is `sims/core/share.ts`).
 *
 * A memory-model link (`mm.…`) names a lesson preset: it opens in the page's `<mm-sim>`
 * showing that preset, or fails with a message when the page has none.
 *
 * On page load, and whenever the hash changes to a share link, the text is decoded and
 * checked with the model. On success the run is shown, at its step, in:
 *   1. a player already showing the same parameters (a lesson preset: the instructor's
 *      "we are at step 17" lands in the very widget the class is looking at), else
 *   2. the page's share target (`[data-share-target]`, the Prove-it panel, whose player
 *      takes any configuration), else
 *   3. the first player on the page,
 * and the page scrolls there (instantly under `prefers-reduced-motion`). On failure a
 * dismissible message (role=alert) appears at the top of the lesson and nothing else on the
 * page changes.
 */
import type { SharedMmRun, SharedRun } from '../../sims/core/share.ts';
import type { MmChoice } from '../../sims/mm/types.ts';
import type { TtyChoice, TtyParams } from '../../sims/tty/types.ts';
import { playerKey, type PlayerHome } from './player-index.ts';

/** A run to show, as `load` / `showRun` take it. */
export interface ShareRun {
  params: TtyParams;
  schedule: readonly TtyChoice[];
  step: number;
  title?: string;
  description?: string;
}

/** What a player (`<tty-sim>`) offers this module. */
interface PlayerLike extends HTMLElement {
  params: TtyParams | null;
  load(run: ShareRun): string | null;
}

/** What a memory player (`<mm-sim>`) offers this module. */
interface MmPlayerLike extends HTMLElement {
  preset: string;
  load(run: { schedule: readonly MmChoice[]; step: number }): string | null;
}

/** What a share target (`[data-share-target]`, e.g. `<prove-it>`) offers this module. */
export interface ShareTarget extends HTMLElement {
  /** Shows the run in the target's own player and scrolls to it; an error message or null. */
  showRun(run: ShareRun): string | null;
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

/** The link codec, loaded only when a page has a link to open (it holds every model's format). */
type Codec = typeof import('../../sims/core/share.ts');
let encodeShare: Codec['encodeShare'];

/** Same parameters? (Compared through the link encoding, which ignores key order.) */
function sameParams(a: TtyParams, b: TtyParams): boolean {
  try {
    return encodeShare({ model: 'tty', params: a, schedule: [], step: 0 }) === encodeShare({ model: 'tty', params: b, schedule: [], step: 0 });
  } catch {
    return false;
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
    const data = JSON.parse(el.textContent) as { base: string; players: Record<string, PlayerHome> };
    const home = Object.hasOwn(data.players, key) ? data.players[key] : undefined;
    return home ? { href: `${data.base}lessons/${home.slug}/`, title: home.title } : null;
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
  if (!home || location.pathname === home.href) return { text: `This page has no ${what}: the link belongs to another page of the site.` };
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
  const codec: Codec = await import('../../sims/core/share.ts');
  encodeShare = codec.encodeShare;
  const decoded = codec.decodeShare(text);
  if (!decoded.ok) {
    showAlert(decoded.error);
    return;
  }
  removeAlert();
  if (decoded.model === 'mm') {
    // Wait for the element only when the page has the player: another lesson's link would wait forever.
    if (!document.querySelector(`mm-sim[data-preset="${CSS.escape(decoded.preset)}"]`)) {
      showAlert(elsewhere(`the memory simulation “${decoded.preset}”`, playerKey('mm', decoded.preset), text));
      return;
    }
    await customElements.whenDefined('mm-sim');
    const error = showMm(decoded);
    if (error) showAlert(error);
    return;
  }
  if (decoded.preset !== undefined) {
    // A link made in a preset's player opens in that player, and only there.
    const player = Array.from(document.querySelectorAll<PlayerLike>(`tty-sim[data-preset="${CSS.escape(decoded.preset)}"]`)).find((p) => !p.closest('[data-share-target]'));
    if (!player) {
      showAlert(elsewhere(`the tty simulation “${decoded.preset}”`, playerKey('tty', decoded.preset), text));
      return;
    }
    await customElements.whenDefined('tty-sim');
    const error = player.load({ params: decoded.params, schedule: decoded.schedule, step: decoded.step });
    if (error) showAlert(error);
    else reveal(player);
    return;
  }
  if (!document.querySelector('tty-sim, [data-share-target]')) {
    showAlert(elsewhere('a tty simulation', playerKey('tty'), text));
    return;
  }
  await customElements.whenDefined('tty-sim');
  const targets = Array.from(document.querySelectorAll<HTMLElement>('[data-share-target]'));
  await Promise.all(targets.map((t) => customElements.whenDefined(t.localName)));
  const run: ShareRun = { params: decoded.params, schedule: decoded.schedule, step: decoded.step, title: 'Shared run', description: 'Opened from a link: the parameters, the schedule and the step it was shared at.' };
  const error = show(run, decoded);
  if (error) showAlert(error);
}

function show(run: ShareRun, decoded: SharedRun): string | null {
  const players = Array.from(document.querySelectorAll<PlayerLike>('tty-sim'));
  // 1. The player already showing these parameters (keep its own title).
  for (const p of players) {
    if (!p.params || !sameParams(p.params, decoded.params)) continue;
    const host = p.closest<ShareTarget>('[data-share-target]');
    if (host) return host.showRun(run);
    const error = p.load({ params: run.params, schedule: run.schedule, step: run.step });
    if (!error) reveal(p);
    return error;
  }
  // 2. The page's share target, 3. the first player.
  const target = document.querySelector<ShareTarget>('[data-share-target]');
  if (target) return target.showRun(run);
  const first = players[0];
  if (!first) return 'This page has no simulation player to show it in.';
  const error = first.load(run);
  if (!error) reveal(first);
  return error;
}

/** Shows a memory run in the page's player of its preset. */
function showMm(run: SharedMmRun): string | null {
  const player = Array.from(document.querySelectorAll<MmPlayerLike>('mm-sim')).find((p) => p.preset === run.preset);
  if (!player) return `This page has no memory simulation “${run.preset}”: the link belongs to another lesson.`;
  const error = player.load({ schedule: run.schedule, step: run.step });
  if (!error) reveal(player);
  return error;
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
