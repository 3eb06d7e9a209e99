/**
 * The learner side (`/join/`): joins a room by code and follows the presenter in an iframe
 * that shows the lesson: it navigates to the lesson, scrolls to the section, and opens the
 * player at the step by setting the share link hash (`#sim=…`), which the lesson's own
 * share-link code (components/player/share-link.ts) decodes. Detach stops following (the learner
 * keeps exploring); Rejoin catches up with the latest state. The room never touches the
 * learner's code or progress: it only reads which exercises passed, if the learner allows it.
 */
import { currentSection, detectRooms, embedLesson, scrollToSection, type RoomState } from './room-frame.ts';

const CODE_RE = /^[A-HJ-KMNP-Z2-9]{6}$/;
const PROGRESS_PREFIX = 'dpl:v1:ex:';

/** Ids of exercises this browser has passed (from the progress store, read only). */
export function passedExercises(storage: Storage): string[] {
  const out: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (!k?.startsWith(PROGRESS_PREFIX)) continue;
    try {
      if ((JSON.parse(storage.getItem(k) ?? 'null') as { status?: string } | null)?.status === 'passed') out.push(k.slice(PROGRESS_PREFIX.length));
    } catch {
      /* unreadable record: not counted */
    }
  }
  return out.sort();
}

/** A random anonymous token for this tab (counts one learner once; no name). */
function learnerToken(): string {
  try {
    let t = sessionStorage.getItem('dpl:room-learner');
    if (!t) {
      t = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
      sessionStorage.setItem('dpl:room-learner', t);
    }
    return t;
  } catch {
    return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  }
}

/** Starts the join page inside `root` (`[data-room-join]`). */
export async function initFollower(root: HTMLElement): Promise<void> {
  const base = root.dataset.base ?? '/';
  const $ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  const detected = await detectRooms(base);
  if (!detected.ok) {
    $<HTMLElement>('[data-part="static"]').hidden = false;
    root.dataset.state = 'static';
    return;
  }
  const form = $<HTMLFormElement>('form');
  const input = $<HTMLInputElement>('input[name="code"]');
  const share = $<HTMLInputElement>('input[name="share"]');
  const error = $<HTMLElement>('[data-part="error"]');
  const bar = $<HTMLElement>('[data-part="bar"]');
  const status = $<HTMLElement>('[data-part="status"]');
  const toggle = $<HTMLButtonElement>('[data-act="detach"]');
  const frame = $<HTMLIFrameElement>('iframe');
  form.hidden = false;
  root.dataset.state = 'ready';
  const fromUrl = new URLSearchParams(location.search).get('code');
  if (fromUrl) input.value = fromUrl.toUpperCase();

  let es: EventSource | null = null;
  let code = '';
  let latest: RoomState | null = null;
  let applied: RoomState | null = null;
  let following = true;
  let pending: RoomState | null = null; // to finish after the iframe loads a new lesson

  function setFollowing(v: boolean): void {
    following = v;
    root.dataset.following = String(v);
    toggle.textContent = v ? 'Detach' : 'Rejoin';
    toggle.setAttribute('aria-pressed', String(!v));
    status.textContent = v ? `Following room ${code}.` : `Detached from room ${code}: you are exploring on your own. Rejoin to catch up.`;
    if (v && latest) apply(latest, true);
  }

  /** Shows `s` in the iframe; `force` reapplies everything (rejoin). */
  function apply(s: RoomState, force = false): void {
    const win = frame.contentWindow;
    const here = win?.location.pathname;
    if (frame.dataset.loading === 'true') {
      pending = s;
      return;
    }
    if (!win || here !== s.lesson) {
      pending = s;
      frame.dataset.loading = 'true';
      frame.src = s.lesson + (s.hash ?? '');
      return;
    }
    const prev = force ? null : applied;
    applied = s;
    const hashChanged = s.hash && (s.hash !== prev?.hash || s.hash !== win.location.hash);
    if (hashChanged && s.hash) {
      // The lesson's share-link code opens the player at the step and scrolls to it.
      if (win.location.hash === s.hash) win.dispatchEvent(new HashChangeEvent('hashchange'));
      else win.location.hash = s.hash;
    } else if (!s.hash && s.player && (s.player !== prev?.player || s.step !== prev?.step)) {
      win.document.getElementById(s.player)?.scrollIntoView({ block: 'start' });
    } else if (s.section !== prev?.section || s.scroll !== prev?.scroll || force) {
      pinSection(win, s);
    }
    root.dataset.applied = String(s.v ?? 0);
  }

  /**
   * Scrolls to the state's section and keeps it there for a moment: a smooth scroll the lesson
   * started (a share link revealing its player) or a widget above growing as its diagrams load
   * would otherwise carry the page away from the section just after it arrived.
   */
  let unpin: (() => void) | null = null;
  function pinSection(win: Window, s: RoomState): void {
    unpin?.();
    scrollToSection(win, s.section, s.scroll);
    const until = performance.now() + 2500;
    const check = () => {
      if (!following || applied !== s || performance.now() > until) {
        unpin?.();
        return;
      }
      const here = currentSection(win);
      if (here.section !== s.section || Math.abs(here.scroll - s.scroll) > 0.02) scrollToSection(win, s.section, s.scroll);
    };
    win.addEventListener('scrollend', check);
    const ro = new ResizeObserver(check);
    ro.observe(win.document.body);
    unpin = () => {
      win.removeEventListener('scrollend', check);
      ro.disconnect();
      unpin = null;
    };
  }

  frame.addEventListener('load', () => {
    frame.dataset.loading = 'false';
    if (frame.contentDocument) embedLesson(frame.contentDocument, 'Lesson the presenter is showing');
    root.dataset.frame = frame.contentWindow?.location.pathname ?? '';
    const s = pending;
    pending = null;
    applied = null;
    if (s && following) {
      applied = s; // the hash came with the URL
      if (!s.hash) pinSection(frame.contentWindow!, s);
      root.dataset.applied = String(s.v ?? 0);
      // A newer state may have arrived while loading.
      if (latest && latest !== s) apply(latest);
    }
  });

  async function sendPassed(): Promise<void> {
    if (!share.checked || !code) return;
    try {
      await fetch(`${base}api/rooms/${code}/passed`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ learner: learnerToken(), exercises: passedExercises(localStorage) }) });
    } catch {
      /* counts are optional */
    }
  }
  share.addEventListener('change', () => {
    if (share.checked) void sendPassed();
    else if (code) void fetch(`${base}api/rooms/${code}/passed`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ learner: learnerToken(), exercises: [] }) }).catch(() => {});
  });
  // The lesson in the iframe writes progress; the storage event reaches this page.
  window.addEventListener('storage', (e) => {
    if (e.key?.startsWith(PROGRESS_PREFIX)) void sendPassed();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const c = input.value.trim().toUpperCase();
    error.textContent = '';
    if (!CODE_RE.test(c)) {
      error.textContent = 'A room code is 6 letters and digits, as shown on the presenter’s screen.';
      input.focus();
      return;
    }
    // Check the room first so a wrong code gets the server's sentence, not a silent stream.
    const probe = await fetch(`${base}api/rooms/${c}/passed`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ learner: learnerToken(), exercises: share.checked ? passedExercises(localStorage) : [] }) }).catch(() => null);
    if (!probe || !probe.ok) {
      error.textContent = probe ? (((await probe.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${probe.status}`) : 'The server does not answer.';
      return;
    }
    join(c);
  });

  function join(c: string): void {
    es?.close();
    code = c;
    root.dataset.code = c;
    bar.hidden = false;
    frame.hidden = false;
    form.hidden = true;
    history.replaceState(null, '', `?code=${c}`);
    setFollowing(true);
    es = new EventSource(`${base}api/rooms/${c}/events`);
    es.addEventListener('state', (ev) => {
      latest = JSON.parse((ev as MessageEvent).data) as RoomState;
      root.dataset.latest = String(latest.v ?? 0);
      if (following) apply(latest);
    });
    es.addEventListener('open', () => {
      if (following) status.textContent = `Following room ${code}.`;
    });
    es.addEventListener('error', () => {
      status.textContent = es?.readyState === EventSource.CLOSED ? `Room ${code} has ended (the presenter’s server restarted). Ask for the new code.` : 'Connection lost: reconnecting…';
    });
  }

  toggle.addEventListener('click', () => setFollowing(!following));
  $<HTMLButtonElement>('[data-act="leave"]').addEventListener('click', () => {
    es?.close();
    es = null;
    code = '';
    bar.hidden = true;
    form.hidden = false;
    root.dataset.code = '';
    history.replaceState(null, '', location.pathname);
  });
}
