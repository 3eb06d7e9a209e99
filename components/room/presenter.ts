/**
 * The presenter view (`/present/`): creates a room, shows its code and join URL, shows the
 * chosen lesson in an iframe and publishes where it is (lesson, section + scroll, the player
 * last stepped + its step and share link) to `POST /api/rooms/<code>/state`.
 * Keys (outside text fields, on the page or inside the lesson): N next step, P previous step,
 * S next section, F projector mode.
 */
import { currentSection, detectRooms, embedLesson, sectionsOf, scrollToSection, type RoomState } from './room-frame.ts';

interface Room {
  code: string;
  key: string;
}

const KEY = 'dpl:present-room';

/** Starts the presenter view inside `root` (the page's `[data-room-present]`). */
export async function initPresenter(root: HTMLElement): Promise<void> {
  const base = root.dataset.base ?? '/';
  const $ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  const status = $<HTMLElement>('[data-part="status"]');
  const detected = await detectRooms(base);
  if (!detected.ok) {
    $<HTMLElement>('[data-part="static"]').hidden = false;
    root.dataset.state = 'static';
    return;
  }
  let room: Room;
  try {
    room = await openRoom(base);
  } catch (e) {
    status.textContent = `Could not open a room: ${e instanceof Error ? e.message : String(e)}`;
    root.dataset.state = 'error';
    return;
  }
  $<HTMLElement>('[data-part="live"]').hidden = false;
  $<HTMLElement>('[data-part="code"]').textContent = room.code;
  const urls = (detected.urls.length ? detected.urls : [location.origin]).map((u) => `${u}${base}join/?code=${room.code}`);
  const list = $<HTMLElement>('[data-part="urls"]');
  list.replaceChildren(...urls.map((u) => Object.assign(document.createElement('li'), { textContent: u })));
  root.dataset.code = room.code;
  root.dataset.state = 'live';

  // Learner count and passed exercises.
  const count = $<HTMLElement>('[data-part="count"]');
  const passed = $<HTMLElement>('[data-part="passed"]');
  const es = new EventSource(`${base}api/rooms/${room.code}/events?role=presenter`);
  es.addEventListener('count', (ev) => {
    const d = JSON.parse((ev as MessageEvent).data) as { learners: number; passed: Record<string, number> };
    count.textContent = String(d.learners);
    root.dataset.learners = String(d.learners);
    const entries = Object.entries(d.passed).sort((a, b) => a[0].localeCompare(b[0]));
    passed.replaceChildren(
      ...(entries.length
        ? entries.map(([id, n]) => Object.assign(document.createElement('li'), { textContent: `${id}: ${n} passed` }))
        : [Object.assign(document.createElement('li'), { textContent: 'None shared yet.' })]),
    );
  });
  es.addEventListener('error', () => {
    status.textContent = es.readyState === EventSource.CLOSED ? 'The room has ended (the server restarted?). Reload this page to open a new one.' : 'Reconnecting to the server…';
  });
  es.addEventListener('open', () => (status.textContent = ''));

  const frame = $<HTMLIFrameElement>('iframe');
  const select = $<HTMLSelectElement>('select');
  select.addEventListener('change', () => {
    frame.src = select.value;
  });

  let lastPlayer: HTMLElement | null = null;
  let sending = false;
  let again = false;

  /** Publishes the iframe's current place (coalesced: one request in flight at a time). */
  async function publish(): Promise<void> {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      do {
        again = false;
        const state = await read();
        if (!state) break;
        const r = await fetch(`${base}api/rooms/${room.code}/state`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: room.key, state }) });
        if (r.ok) {
          const { v } = (await r.json()) as { v: number };
          root.dataset.published = String(v);
          root.dataset.section = state.section ?? '';
          root.dataset.step = state.step === null ? '' : String(state.step);
          status.textContent = '';
        } else {
          status.textContent = `Not published: ${((await r.json().catch(() => ({}))) as { error?: string }).error ?? r.status}`;
        }
      } while (again);
    } catch {
      status.textContent = 'Not published: the server does not answer.';
    } finally {
      sending = false;
    }
  }

  async function read(): Promise<RoomState | null> {
    const win = frame.contentWindow;
    if (!win || !win.document.body) return null;
    const { section, scroll } = currentSection(win);
    let player: string | null = null;
    let step: number | null = null;
    let hash: string | null = null;
    if (lastPlayer && lastPlayer.isConnected && lastPlayer.id) {
      player = lastPlayer.id;
      step = Number(lastPlayer.dataset.step ?? 0);
      const p = lastPlayer as HTMLElement & { shareText?: () => Promise<string | null> };
      try {
        const text = typeof p.shareText === 'function' ? await p.shareText() : null;
        hash = text ? `#sim=${text}` : null;
      } catch {
        hash = null; // this run cannot be a link: followers get the step number only
      }
    }
    return { lesson: win.location.pathname, section, scroll, player, step, hash };
  }

  let scrollTimer: ReturnType<typeof setTimeout> | null = null;
  const onScroll = () => {
    if (scrollTimer) return;
    scrollTimer = setTimeout(() => {
      scrollTimer = null;
      void publish();
    }, 150);
  };

  /** The player the presenter means: the last stepped, else the first one in view. */
  function targetPlayer(): HTMLElement | null {
    const win = frame.contentWindow;
    if (!win) return null;
    if (lastPlayer?.isConnected) return lastPlayer;
    const players = Array.from(win.document.querySelectorAll<HTMLElement>('[data-step][id]'));
    return players.find((p) => p.getBoundingClientRect().bottom > 0 && p.getBoundingClientRect().top < win.innerHeight) ?? players[0] ?? null;
  }

  function step(dir: 'forward' | 'back'): void {
    const p = targetPlayer();
    const btn = p?.querySelector<HTMLButtonElement>(`[data-part="${dir}"]`);
    if (btn && !btn.disabled) btn.click();
  }

  function nextSection(): void {
    const win = frame.contentWindow;
    if (!win) return;
    const hs = sectionsOf(win.document);
    const cur = currentSection(win).section;
    const i = hs.findIndex((h) => h.id === cur);
    const next = hs[i + 1];
    if (next) {
      lastPlayer = null;
      scrollToSection(win, next.id, 0);
    }
  }

  function projector(on?: boolean): void {
    const v = on ?? root.dataset.projector !== 'true';
    root.dataset.projector = String(v);
    $<HTMLButtonElement>('[data-act="projector"]').setAttribute('aria-pressed', String(v));
    if (frame.contentDocument) projectFrame(frame.contentDocument, v);
  }

  /**
   * Projector mode in the lesson: the light theme whatever the reader's setting (the frame's
   * own choice is put back when it ends), plus global.css's `.dpl-projector` rules.
   */
  function projectFrame(doc: Document, on: boolean): void {
    const html = doc.documentElement;
    if (on === html.classList.contains('dpl-projector')) return;
    html.classList.toggle('dpl-projector', on);
    if (on) {
      html.dataset.themeBeforeProjector = html.dataset.theme ?? '';
      html.dataset.theme = 'light';
    } else {
      const before = html.dataset.themeBeforeProjector;
      delete html.dataset.themeBeforeProjector;
      if (before) html.dataset.theme = before;
      else delete html.dataset.theme;
    }
  }

  function onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || t.matches?.('input, textarea, select'))) return;
    const k = e.key.toLowerCase();
    if (k === 'n') step('forward');
    else if (k === 'p') step('back');
    else if (k === 's') nextSection();
    else if (k === 'f') projector();
    else return;
    e.preventDefault();
  }

  document.addEventListener('keydown', onKey);
  $<HTMLButtonElement>('[data-act="next"]').addEventListener('click', () => step('forward'));
  $<HTMLButtonElement>('[data-act="prev"]').addEventListener('click', () => step('back'));
  $<HTMLButtonElement>('[data-act="section"]').addEventListener('click', nextSection);
  $<HTMLButtonElement>('[data-act="projector"]').addEventListener('click', () => projector());

  const attach = () => {
    const win = frame.contentWindow;
    const doc = frame.contentDocument;
    if (!win || !doc) return;
    lastPlayer = null;
    embedLesson(doc, 'Lesson being presented');
    projectFrame(doc, root.dataset.projector === 'true');
    const sel = Array.from(select.options).find((o) => o.value === win.location.pathname);
    if (sel) select.value = sel.value;
    win.addEventListener('scroll', onScroll, { passive: true });
    win.addEventListener('keydown', onKey);
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.id && el.dataset.step !== undefined) lastPlayer = el;
      }
      void publish();
    }).observe(doc.body, { subtree: true, attributes: true, attributeFilter: ['data-step'] });
    root.dataset.frame = win.location.pathname;
    // Published from a task of its own: reading where the lesson is lays it out, and the load
    // event's task has just built the players near the window.
    setTimeout(() => void publish(), 0);
  };
  frame.addEventListener('load', attach);
  frame.src = select.value;
}

/** Reuses this tab's room if the server still has it, else creates one. */
async function openRoom(base: string): Promise<Room> {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Room | null;
    if (saved?.code && saved.key) {
      const probe = await fetch(`${base}api/rooms/${saved.code}/state`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: saved.key, state: { lesson: '/' } }) });
      if (probe.ok) return saved;
    }
  } catch {
    /* no storage or no room: make a new one */
  }
  const r = await fetch(`${base}api/rooms`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const body = (await r.json()) as Room & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ code: body.code, key: body.key }));
  } catch {
    /* the room still works for this page */
  }
  return { code: body.code, key: body.key };
}
