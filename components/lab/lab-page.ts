/**
 * The Lab page: notebooks of TypeScript cells over the simulators.
 *
 * Loaded with the page (small): the notebook list, textareas, saving as you type, Markdown
 * export/import and share links. Loaded on first use: the reactive runtime, the worker client
 * and the output renderer (`app.ts`), and Monaco when a cell's editor is first focused.
 * Keyboard: Shift+Enter runs a cell, Ctrl/Cmd+Enter runs every cell.
 */
import { decodeLink, encodeLink, fromMarkdown, newId, NotebookStore, toMarkdown, type Notebook } from './notebook.ts';
import type { CellState } from './engine.ts';

const base = document.getElementById('lab-root')?.dataset.base ?? '/';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const cellsHost = $<HTMLOListElement>('lab-cells');
const list = $<HTMLSelectElement>('lab-list');
const alertBox = $<HTMLDivElement>('lab-alert');
const alertExport = $<HTMLButtonElement>('lab-alert-export');
const statusBox = $<HTMLParagraphElement>('lab-status');
const titleEl = $<HTMLHeadingElement>('lab-title');
const introEl = $<HTMLDivElement>('lab-intro');

const starters = import.meta.glob('../../content/notebooks/*.md', { query: '?raw', import: 'default' }) as Record<string, () => Promise<string>>;
const starterLoader = (slug: string) => starters[`../../content/notebooks/${slug}.md`];

let store: NotebookStore | null = null;
try {
  store = new NotebookStore(localStorage);
} catch {
  store = null;
}
const LAST_KEY = 'dpl:lab:last';

let nb: Notebook;
const labels = new Map<string, string>();

/**
 * Shows a problem (role=alert) until dismissed or replaced. `offerExport` adds an "Export .md"
 * button beside it, for problems whose way out is a file (a notebook too large for a link,
 * storage full or refused).
 */
function showAlert(text: string, offerExport = false): void {
  alertBox.hidden = false;
  alertBox.querySelector('p')!.textContent = text;
  alertExport.hidden = !offerExport;
}
function say(text: string): void {
  statusBox.textContent = text;
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Saves the notebook (debounced while typing); a storage failure is shown, never thrown. */
function save(now = false): void {
  clearTimeout(saveTimer);
  const go = () => {
    saveTimer = undefined;
    nb.updated = Date.now();
    const saved = $('lab-save');
    if (!store) {
      saved.textContent = 'Not saved: this browser does not allow local storage here. Export to keep your work.';
      return;
    }
    try {
      store.save(nb);
      localStorage.setItem(LAST_KEY, nb.id);
      saved.textContent = 'Saved in this browser.';
      if (saved.dataset.failed) {
        delete saved.dataset.failed;
        alertBox.hidden = true;
      }
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      saved.textContent = 'Not saved (see above).';
      // Said once per failing run of saves, not on every keystroke.
      if (!saved.dataset.failed) showAlert(text, true);
      saved.dataset.failed = 'true';
    }
  };
  if (now) go();
  else saveTimer = setTimeout(go, 300);
}
/** Writes a save that is still waiting for the typing to pause (the page is being left). */
function flushSave(): void {
  if (saveTimer !== undefined) save(true);
}

function refreshList(): void {
  const entries = store ? safeList() : [];
  if (!entries.some((e) => e.id === nb.id)) entries.unshift({ id: nb.id, title: nb.title, updated: nb.updated });
  list.replaceChildren(...entries.map((e) => {
    const o = document.createElement('option');
    o.value = e.id;
    o.textContent = e.id === nb.id ? nb.title : e.title;
    o.selected = e.id === nb.id;
    return o;
  }));
}
function safeList() {
  try {
    return store!.list();
  } catch (e) {
    showAlert(e instanceof Error ? e.message : String(e));
    return [];
  }
}

// ---------------------------------------------------------------------------------------
// Cells

interface CellUi {
  li: HTMLLIElement;
  text: HTMLTextAreaElement;
  status: HTMLParagraphElement;
  out: HTMLDivElement;
  editor?: import('../editor/monaco.ts').CodeEditor;
  upgrading?: boolean;
}

// Monaco (with the @sims/* types) replaces a cell's textarea when it is first focused, unless
// the learner chose the plain text editor (remembered in this browser).
const PLAIN_KEY = 'dpl:lab:plain';
const plainBox = $<HTMLInputElement>('lab-plain');
try {
  plainBox.checked = localStorage.getItem(PLAIN_KEY) === '1';
} catch {
  /* default: Monaco */
}
plainBox.addEventListener('change', () => {
  try {
    localStorage.setItem(PLAIN_KEY, plainBox.checked ? '1' : '0');
  } catch {
    /* the choice holds for this page */
  }
});

async function upgrade(id: string): Promise<void> {
  const u = ui.get(id);
  if (!u || u.editor || u.upgrading || plainBox.checked) return;
  u.upgrading = true;
  try {
    const { createCodeEditor } = await loadTypes();
    if (!ui.has(id)) return;
    const host = document.createElement('div');
    host.className = 'lab-monaco';
    // Monaco's line is 19 px at its 14 px font; until it measures the code, the textarea's line count.
    const lineHeight = 19;
    host.style.height = `${Math.min(24, Math.max(5, u.text.value.split('\n').length + 1)) * lineHeight}px`;
    u.text.after(host);
    const offset = u.text.selectionStart;
    const hadFocus = document.activeElement === u.text;
    const ed = await createCodeEditor(host, {
      value: u.text.value,
      label: `${u.text.getAttribute('aria-label') ?? 'Cell code'} (Shift+Enter runs it)`,
      onChange: () => edited(id),
      onRun: () => void runCells(nb.cells.map((c) => c.id)),
      // As the textarea: long lines wrap, and the editor grows with the code (5 to 24 lines).
      wrap: true,
      compactGutter: true,
      fitHeight: { min: 5 * lineHeight, max: 24 * lineHeight },
    });
    // Shift+Enter runs this cell: caught before Monaco sees the key.
    host.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && ev.shiftKey && !ev.ctrlKey && !ev.metaKey) {
        ev.preventDefault();
        ev.stopPropagation();
        void runCells([id]);
      }
    }, true);
    u.editor = ed;
    // Tests read the type checker's problems through the cell, as they do an exercise's.
    (u.li as HTMLLIElement & { editorHandle?: typeof ed }).editorHandle = ed;
    u.text.hidden = true;
    u.li.dataset.editor = 'monaco';
    if (hadFocus) ed.focus(offset);
  } catch {
    u.li.dataset.editor = 'textarea'; // Monaco failed to load: the textarea keeps working
  } finally {
    u.upgrading = false;
  }
}
const ui = new Map<string, CellUi>();

// The type checker knows the notebook: a cell reading another cell's name sees its type
// (editor/monaco.ts `setNotebookCells`). Loaded with Monaco, kept current as cells change.
type Monaco = typeof import('../editor/monaco.ts');
let typesLoading: Promise<Monaco> | null = null;
let typesSync: (() => void) | null = null;
let typesTimer: ReturnType<typeof setTimeout> | undefined;
function loadTypes(): Promise<Monaco> {
  typesLoading ??= Promise.all([import('../editor/monaco.ts'), import('./analyze.ts')]).then(
    ([m, { analyzeCell }]) => {
      typesSync = () =>
        m.setNotebookCells(
          nb.cells.map((c) => {
            const source = sourceOf(c.id);
            return { id: c.id, source, defines: analyzeCell(source).defines };
          }),
        );
      typesSync();
      return m;
    },
    (e: unknown) => {
      typesLoading = null; // the next focus tries again (the cell keeps its textarea meanwhile)
      throw e;
    },
  );
  return typesLoading;
}
/** Brings the type checker's view of the notebook up to date once the typing pauses (only once Monaco is loaded). */
function syncTypes(now = false): void {
  if (!typesSync) return;
  clearTimeout(typesTimer);
  if (now) typesSync();
  else typesTimer = setTimeout(() => typesSync?.(), 300);
}

function sourceOf(id: string): string {
  const u = ui.get(id);
  return u?.editor ? u.editor.getValue() : (u?.text.value ?? '');
}

function relabel(): void {
  nb.cells.forEach((c, i) => {
    labels.set(c.id, `cell ${i + 1}`);
    const u = ui.get(c.id);
    if (!u) return;
    u.li.querySelector('.lab-cell-label')!.textContent = `Cell ${i + 1}`;
    u.text.setAttribute('aria-label', `Cell ${i + 1} code`);
  });
}

function button(text: string, cls: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function cellElement(id: string, source: string): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'lab-cell';
  li.dataset.cell = id;
  const head = document.createElement('div');
  head.className = 'lab-cell-head';
  const label = document.createElement('span');
  label.className = 'lab-cell-label';
  const text = document.createElement('textarea');
  text.className = 'lab-code';
  text.spellcheck = false;
  text.value = source;
  text.rows = Math.min(16, Math.max(3, source.split('\n').length + 1));
  text.setAttribute('autocapitalize', 'off');
  text.setAttribute('autocomplete', 'off');
  const status = document.createElement('p');
  status.className = 'lab-cell-status';
  status.setAttribute('role', 'status');
  // Cells run on request (the runtime loads then): until then the line says so, and keeps its height.
  status.textContent = 'Not run yet.';
  const out = document.createElement('div');
  out.className = 'lab-output';
  head.append(
    label,
    button('Run', 'lab-run-cell', () => void runCells([id]), 'Run this cell (Shift+Enter)'),
    button('Delete', 'lab-del-cell', () => deleteCell(id), 'Delete this cell'),
  );
  li.append(head, text, status, out);
  const u: CellUi = { li, text, status, out };
  ui.set(id, u);
  text.addEventListener('input', () => {
    text.rows = Math.min(16, Math.max(3, text.value.split('\n').length + 1));
    edited(id);
  });
  text.addEventListener('keydown', (ev) => keys(ev, id));
  text.addEventListener('focus', () => {
    void warm();
    void upgrade(id);
  });
  return li;
}

function edited(id: string): void {
  const c = nb.cells.find((x) => x.id === id);
  if (!c) return;
  c.source = sourceOf(id);
  ui.get(id)?.li.classList.add('lab-edited');
  save();
  syncTypes();
}

function keys(ev: KeyboardEvent, id: string): void {
  if (ev.key !== 'Enter') return;
  if (ev.shiftKey && !ev.ctrlKey && !ev.metaKey) {
    ev.preventDefault();
    void runCells([id]);
  } else if (ev.ctrlKey || ev.metaKey) {
    ev.preventDefault();
    void runCells(nb.cells.map((c) => c.id));
  }
}

function deleteCell(id: string): void {
  const i = nb.cells.findIndex((c) => c.id === id);
  if (i < 0) return;
  if (!confirm(`Delete ${labels.get(id) ?? 'this cell'}? Cells that read its names will stop updating.`)) return;
  nb.cells.splice(i, 1);
  ui.get(id)?.li.remove();
  ui.get(id)?.editor?.dispose();
  ui.delete(id);
  syncTypes(true);
  relabel();
  save();
  if (app) app.engine.commit(nb.cells, []);
  const next = nb.cells[Math.min(i, nb.cells.length - 1)];
  (next ? ui.get(next.id)?.text : $('lab-add'))?.focus();
}

function addCell(): void {
  const c = { id: newId('c'), source: '' };
  nb.cells.push(c);
  cellsHost.append(cellElement(c.id, c.source));
  relabel();
  save();
  syncTypes(true);
  ui.get(c.id)!.text.focus();
}

function show(n: Notebook): void {
  nb = n;
  if (app) app.engine.commit([], []);
  for (const u of ui.values()) u.editor?.dispose();
  ui.clear();
  titleEl.textContent = nb.title;
  introEl.replaceChildren(...nb.intro.split(/\n{2,}/).filter((p) => p.trim()).map((p) => {
    const e = document.createElement('p');
    e.textContent = p.replace(/\n/g, ' ');
    return e;
  }));
  cellsHost.replaceChildren(...nb.cells.map((c) => cellElement(c.id, c.source)));
  // Hidden in the server's page until the cells are there (so it does not jump down).
  $('lab-add').hidden = false;
  relabel();
  refreshList();
  syncTypes(true);
  try {
    localStorage.setItem(LAST_KEY, nb.id);
  } catch {
    /* shown when saving */
  }
}

// ---------------------------------------------------------------------------------------
// Running (loaded on first use)

type App = typeof import('./app.ts');
interface Loaded {
  engine: import('./engine.ts').LabEngine;
  mod: App;
}
let app: Loaded | null = null;
let loading: Promise<Loaded> | null = null;

function warm(): Promise<Loaded> {
  loading ??= import('./app.ts').then((mod) => {
    const engine = mod.createEngine(onState, (id) => labels.get(id) ?? 'a cell');
    app = { engine, mod };
    return app;
  });
  return loading;
}

const started = new Map<string, number>();
/** Milliseconds from each cell's last run request to its outputs drawn (for `npm run bench`). */
const timings: { cell: string; ms: number }[] = [];
(window as unknown as { __labTimings: typeof timings }).__labTimings = timings;

function onState(id: string, s: CellState): void {
  const u = ui.get(id);
  if (!u || !app) return;
  const label = labels.get(id) ?? 'cell';
  u.li.dataset.state = s.status;
  switch (s.status) {
    case 'running':
      u.status.textContent = 'Running…';
      u.li.setAttribute('aria-busy', 'true');
      if (!started.has(id)) started.set(id, performance.now());
      return;
    case 'ok':
      u.li.removeAttribute('aria-busy');
      u.li.classList.remove('lab-stale');
      app.mod.renderOutputs(u.out, s.outcome.outputs, s.outcome.console, base);
      u.status.textContent = s.outcome.outputs.length ? `Ran in ${Math.round(s.ms)} ms.` : `Ran in ${Math.round(s.ms)} ms (it defines no names; declare with const to show a value).`;
      u.editor?.setMarkers([]);
      break;
    case 'error': {
      u.li.removeAttribute('aria-busy');
      u.li.classList.add('lab-stale');
      const e = s.outcome.error;
      const where = e.line ? `Line ${e.line}${e.column ? `, column ${e.column}` : ''}: ` : '';
      u.status.textContent = `${where}${e.message}`;
      if (e.line) u.editor?.setMarkers([{ line: e.line, column: e.column ?? 1, message: e.message }]);
      break;
    }
    case 'stale':
      u.li.removeAttribute('aria-busy');
      u.li.classList.add('lab-stale');
      u.status.textContent = s.reason;
      break;
  }
  const t0 = started.get(id);
  if (t0 !== undefined) {
    started.delete(id);
    timings.push({ cell: label, ms: performance.now() - t0 });
  }
}

async function runCells(ids: string[]): Promise<void> {
  for (const c of nb.cells) c.source = sourceOf(c.id);
  const a = await warm();
  for (const id of ids) {
    ui.get(id)?.li.classList.remove('lab-edited');
    started.set(id, performance.now());
  }
  a.engine.commit(nb.cells, ids);
}

// ---------------------------------------------------------------------------------------
// Toolbar

function starterNotebook(slug: string, md: string): Notebook | null {
  const r = fromMarkdown(md, `starter-${slug}`);
  return r.ok ? r.notebook : null;
}

$('lab-new').addEventListener('click', () => {
  show({ id: newId('nb'), title: 'Untitled notebook', intro: '', cells: [{ id: newId('c'), source: "import { ttyModel } from '@sims/tty';\nconst answer = 6 * 7;" }], updated: Date.now() });
  save(true);
  say('New notebook.');
});
$('lab-rename').addEventListener('click', () => {
  const t = prompt('New name of this notebook:', nb.title);
  if (t === null) return;
  const title = t.trim().slice(0, 200);
  if (!title) return say('The name was empty, so it was not changed.');
  nb.title = title;
  titleEl.textContent = title;
  save(true);
  refreshList();
  say(`Renamed to ${title}.`);
});
$('lab-delete').addEventListener('click', () => {
  if (!confirm(`Delete the notebook "${nb.title}" from this browser? This cannot be undone (export it first to keep a copy).`)) return;
  try {
    store?.remove(nb.id);
  } catch (e) {
    return showAlert(e instanceof Error ? e.message : String(e));
  }
  const title = nb.title;
  const next = store ? safeList()[0] : undefined;
  const n = next && store!.load(next.id);
  if (n) show(n);
  else void openStarter(lessonSlugs[0]);
  say(`Deleted ${title}.`);
});
list.addEventListener('change', () => {
  const n = store?.load(list.value);
  if (!n) return showAlert('That notebook could not be read from this browser\'s storage.');
  save(true);
  show(n);
});
$('lab-export').addEventListener('click', () => {
  for (const c of nb.cells) c.source = sourceOf(c.id);
  const blob = new Blob([toMarkdown(nb)], { type: 'text/markdown' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${nb.title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'notebook'}.md`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  say(`Exported ${a.download}.`);
});
const importInput = $<HTMLInputElement>('lab-import');
importInput.addEventListener('change', async () => {
  const f = importInput.files?.[0];
  importInput.value = '';
  if (!f) return;
  if (f.size > 1_000_000) return showAlert(`${f.name} is too large for a notebook (over 1 MB). Nothing was changed.`);
  const r = fromMarkdown(await f.text());
  if (!r.ok) return showAlert(`${f.name} could not be imported: ${r.error} Nothing was changed.`);
  show(r.notebook);
  save(true);
  say(`Imported ${f.name} as a new notebook.`);
});
$('lab-share').addEventListener('click', async () => {
  for (const c of nb.cells) c.source = sourceOf(c.id);
  const out = $<HTMLInputElement>('lab-share-url');
  const r = await encodeLink(nb);
  if (!r.ok) {
    out.hidden = true;
    showAlert(r.error, true);
    return;
  }
  out.hidden = false;
  out.value = `${location.origin}${location.pathname}#nb=${r.text}`;
  out.select();
  try {
    await navigator.clipboard.writeText(out.value);
    say('Link copied. It carries the whole notebook.');
  } catch {
    say('Link ready below: copy it. It carries the whole notebook.');
  }
});
$('lab-run-all').addEventListener('click', () => void runCells(nb.cells.map((c) => c.id)));
// "Open a Node.js terminal": the panel and the WebContainer load on click only (NodeTerminal.astro).
const wcRoot = document.querySelector<HTMLElement>('#lab-root [data-wc]');
wcRoot?.querySelector('[data-wc-part="open"]')?.addEventListener('click', async () => {
  const [{ openNodeTerminal }, { notebookFiles }] = await Promise.all([import('../webcontainer/panel.ts'), import('../webcontainer/files.ts')]);
  await openNodeTerminal({
    root: wcRoot,
    dir: 'notebook',
    files: (load) => {
      for (const c of nb.cells) c.source = sourceOf(c.id);
      return notebookFiles(nb.title, nb.cells, toMarkdown(nb), load);
    },
  });
});
$('lab-add').addEventListener('click', addCell);
alertBox.querySelector<HTMLButtonElement>('[data-dismiss]')!.addEventListener('click', () => {
  alertBox.hidden = true;
});
alertExport.addEventListener('click', () => $('lab-export').click());
// A save still waiting for the typing to pause is written when the page is left or hidden.
addEventListener('pagehide', flushSave);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') flushSave();
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && !(ev.target instanceof HTMLTextAreaElement)) {
    ev.preventDefault();
    void runCells(nb.cells.map((c) => c.id));
  }
});

// ---------------------------------------------------------------------------------------
// Opening: #nb= share link, ?sim= or #sim= player link, ?nb= starter, else the last notebook

const lessonSlugs = (document.getElementById('lab-root')!.dataset.lessons ?? '').split(',').filter(Boolean);

async function openStarter(slug: string | undefined): Promise<boolean> {
  const load = slug ? starterLoader(slug) : undefined;
  if (!slug || !load) return false;
  const saved = store?.load(`starter-${slug}`);
  const n = saved ?? starterNotebook(slug, await load());
  if (!n) return false;
  show(n);
  if (!saved) save(true);
  return true;
}

async function open(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const hash = location.hash;
  if (hash.startsWith('#nb=')) {
    const r = await decodeLink(hash.slice(4));
    if (r.ok) {
      show(r.notebook);
      save(true);
      say('Opened the notebook from the link as a new notebook in this browser.');
      return;
    }
    showAlert(`${r.error} Nothing was changed.`);
  }
  // A player's link: `?sim=` ("Open this run in the Lab"), or `#sim=` (a link copied from a player shown in the Lab).
  let sim = params.get('sim');
  if (!sim && hash.startsWith('#sim=')) {
    try {
      sim = decodeURIComponent(hash.slice(5));
    } catch {
      sim = hash.slice(5); // the decoder will call it damaged
    }
  }
  if (sim) {
    const { cellsFromShare } = await import('./from-share.ts');
    const r = cellsFromShare(sim);
    if (r.ok) {
      show({ id: newId('nb'), title: r.title, intro: 'This notebook recreates a player\'s run. Change a parameter in the first cell and press Shift+Enter: the run below updates.', cells: r.cells.map((source) => ({ id: newId('c'), source })), updated: Date.now() });
      save(true);
      void runCells(nb.cells.map((c) => c.id));
      return;
    }
    showAlert(r.error);
  }
  const slug = params.get('nb');
  if (slug) {
    if (await openStarter(slug)) return;
    showAlert(`There is no starter notebook called "${slug}".`);
  }
  let last: string | null = null;
  try {
    last = localStorage.getItem(LAST_KEY);
  } catch {
    last = null;
  }
  const n = last && store?.load(last);
  if (n) return show(n);
  if (!(await openStarter(lessonSlugs[0]))) show({ id: newId('nb'), title: 'Untitled notebook', intro: '', cells: [{ id: newId('c'), source: 'const answer = 6 * 7;' }], updated: Date.now() });
}

void open().then(() => {
  document.getElementById('lab-root')!.dataset.ready = 'true';
});
