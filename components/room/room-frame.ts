/**
 * Shared by the presenter (`/present/`) and learner (`/join/`) pages: both show a lesson in a
 * same-origin iframe and read or set where it is. No lesson page loads any of this, so the
 * lessons' own JavaScript budget is unchanged.
 */

/** What a room shows (the server's `validateState` shape, plus its version `v`). */
export interface RoomState {
  /** Site path of the lesson, e.g. `/lessons/tty-write-atomicity/`. */
  lesson: string;
  /** Id of the section heading being taught, or null at the top of the page. */
  section: string | null;
  /** Fraction (0..1) of that section scrolled past the top of the viewport. */
  scroll: number;
  /** Id of the player last stepped, or null. */
  player: string | null;
  /** Its step index, or null. */
  step: number | null;
  /** Its share link hash (`#sim=…`), or null when the player has no links. */
  hash: string | null;
  v?: number;
}

/**
 * True when the local server with the room service answers (`GET /api/rooms/ping`), with the
 * join base URLs it reports; false on a static host (404, HTML or network error).
 */
export async function detectRooms(base: string): Promise<{ ok: true; urls: string[] } | { ok: false }> {
  try {
    const r = await fetch(`${base}api/rooms/ping`, { cache: 'no-store' });
    if (!r.ok || !String(r.headers.get('content-type')).includes('application/json')) return { ok: false };
    const body = (await r.json()) as { ok?: boolean; urls?: unknown };
    return body.ok === true ? { ok: true, urls: Array.isArray(body.urls) ? body.urls.filter((u): u is string => typeof u === 'string') : [] } : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** The section headings of a lesson document, in page order (h2/h3 with an id inside the article). */
export function sectionsOf(doc: Document): HTMLElement[] {
  const scope = doc.querySelector('article') ?? doc.querySelector('main') ?? doc.body;
  return Array.from(scope.querySelectorAll<HTMLElement>('h2[id], h3[id]')).filter((h) => h.offsetParent !== null);
}

/** Top of `el` in document coordinates of its window (px). */
function docTop(el: HTMLElement): number {
  return el.getBoundingClientRect().top + (el.ownerDocument.defaultView?.scrollY ?? 0);
}

/** Pixels under the sticky site header: a section "is at the top" below this line. */
export const TOP_LINE = 80;

/**
 * The section at the top of the viewport of `win` and how far (0..1) it is scrolled past:
 * the last heading at or above `TOP_LINE`, the fraction measured to the next heading.
 */
export function currentSection(win: Window): { section: string | null; scroll: number } {
  // At the very top the page's top is what is shown: no heading can be above `TOP_LINE` there
  // (a lesson opens with its title block), and measuring would lay out the whole lesson just
  // after it loaded.
  if (win.scrollY === 0) return { section: null, scroll: 0 };
  const hs = sectionsOf(win.document);
  const y = win.scrollY + TOP_LINE;
  let i = -1;
  for (let k = 0; k < hs.length; k++) if (docTop(hs[k]) <= y + 1) i = k;
  if (i < 0) return { section: null, scroll: 0 };
  const start = docTop(hs[i]);
  const end = i + 1 < hs.length ? docTop(hs[i + 1]) : win.document.documentElement.scrollHeight;
  const f = end > start ? (y - start) / (end - start) : 0;
  return { section: hs[i].id, scroll: Math.min(1, Math.max(0, Math.round(f * 1000) / 1000)) };
}

/** Scrolls `win` so `section` is at the top, `scroll` (0..1) of the way to the next heading. */
export function scrollToSection(win: Window, section: string | null, scroll: number): void {
  if (!section) {
    win.scrollTo({ top: 0, behavior: 'auto' });
    return;
  }
  const hs = sectionsOf(win.document);
  const i = hs.findIndex((h) => h.id === section);
  if (i < 0) return;
  const start = docTop(hs[i]);
  const end = i + 1 < hs.length ? docTop(hs[i + 1]) : win.document.documentElement.scrollHeight;
  win.scrollTo({ top: Math.max(0, start + scroll * (end - start) - TOP_LINE), behavior: 'auto' });
}

/**
 * Fits a lesson document into the room page's iframe: its own site header and footer are
 * hidden (the room page has them) and its main landmark is named, so the page as a whole has
 * one banner and distinguishable landmarks. `label` names the lesson's main region.
 */
export function embedLesson(doc: Document, label: string): void {
  // Base.astro's head script sets the mark before the body is parsed when it sees a room page
  // around it; setting it here covers a lesson that was already loaded. No stylesheet is added:
  // global.css has the rules, so the whole lesson is not restyled when the frame loads.
  if (doc.documentElement.dataset.embedded !== 'room') doc.documentElement.dataset.embedded = 'room';
  doc.querySelector('main')?.setAttribute('aria-label', label);
}
