/**
 * The search dialog, loaded on first use by ./search.ts. Queries the Pagefind index that
 * scripts/postbuild.mjs builds into dist/pagefind/ (lesson articles marked data-pagefind-body;
 * sub-results come from headings with ids, so each result names the lesson and the section).
 */

/** The part of Pagefind's browser API (pagefind.js, v1.x) used here. */
interface PagefindSub { title: string; url: string; excerpt: string }
interface PagefindData { url: string; excerpt: string; meta: { title?: string }; sub_results?: PagefindSub[] }
interface Pagefind {
  options(o: { baseUrl?: string; excerptLength?: number }): Promise<void>;
  init(): Promise<void>;
  debouncedSearch(q: string, o?: object, ms?: number): Promise<{ results: { data(): Promise<PagefindData> }[] } | null>;
}

const MAX_PAGES = 8;
const MAX_SUBS = 4;
let dialog: HTMLDialogElement | undefined;
let pagefind: Promise<Pagefind> | undefined;

/** Loads pagefind.js from this site once (the index files it fetches are on this site too). */
function loadPagefind(base: string): Promise<Pagefind> {
  pagefind ??= (async () => {
    const url = `${base}pagefind/pagefind.js`;
    const pf = (await import(/* @vite-ignore */ url)) as Pagefind;
    await pf.options({ baseUrl: base, excerptLength: 24 });
    await pf.init();
    return pf;
  })();
  pagefind.catch(() => (pagefind = undefined));
  return pagefind;
}

/**
 * Appends Pagefind's excerpt (text with <mark> around the hits) to `el` as text and <mark>
 * nodes only: nothing from the index is parsed as markup beyond <mark>.
 */
function appendExcerpt(el: HTMLElement, excerpt: string): void {
  const tpl = document.createElement('template');
  tpl.innerHTML = excerpt;
  for (const n of Array.from(tpl.content.childNodes)) {
    const text = n.textContent ?? '';
    if (n.nodeName === 'MARK') {
      const m = document.createElement('mark');
      m.textContent = text;
      el.append(m);
    } else el.append(text);
  }
}

/** Lesson titles end in " · Data Path Lab"; the result list does not need that. */
const shortTitle = (t: string | undefined) => (t ?? 'Untitled page').replace(/\s*·\s*Data Path Lab\s*$/, '');

function build(base: string): HTMLDialogElement {
  const d = document.createElement('dialog');
  d.className = 'site-search';
  d.setAttribute('aria-labelledby', 'site-search-title');
  d.innerHTML = `
    <form method="dialog" class="ss-head" role="search">
      <h2 id="site-search-title" class="visually-hidden">Search the lessons</h2>
      <label for="site-search-q" class="visually-hidden">Search the lessons</label>
      <input id="site-search-q" type="search" autocomplete="off" spellcheck="false" placeholder="Search lessons, e.g. iterate_tty_write" />
      <button class="btn" value="close" aria-label="Close search">Esc</button>
    </form>
    <p class="ss-status" role="status" aria-live="polite"></p>
    <ol class="ss-results"></ol>`;
  const input = d.querySelector('input')!;
  const status = d.querySelector<HTMLElement>('.ss-status')!;
  const list = d.querySelector<HTMLOListElement>('.ss-results')!;
  let seq = 0;
  const run = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    status.textContent = 'Searching…';
    try {
      const pf = await loadPagefind(base);
      const res = await pf.debouncedSearch(q, {}, 150);
      if (res === null || mine !== seq) return; // a newer query superseded this one
      const data = await Promise.all(res.results.slice(0, MAX_PAGES).map((r) => r.data()));
      if (mine !== seq) return;
      list.replaceChildren(...data.map(renderPage));
      status.textContent = data.length === 0 ? `No lesson mentions “${q}”.` : `${res.results.length} lesson${res.results.length === 1 ? '' : 's'} found.`;
    } catch {
      if (mine !== seq) return;
      status.textContent = import.meta.env.DEV
        ? 'The search index is made by `npm run build`; it is not available under `npm run dev`.'
        : 'Search could not load its index. Reload the page (online once) and try again.';
    }
  };
  input.addEventListener('input', run);
  // A search field's own Escape only clears it; here Escape closes the dialog at once.
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      d.close();
    }
  });
  // Close when a result is followed (it may be a section of the page already open).
  list.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('a')) d.close();
  });
  d.addEventListener('click', (e) => {
    if (e.target === d) d.close(); // a click on the backdrop
  });
  document.body.append(d);
  return d;
}

function renderPage(p: PagefindData): HTMLLIElement {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = p.url;
  a.className = 'ss-page';
  const t = document.createElement('strong');
  t.textContent = shortTitle(p.meta.title);
  const ex = document.createElement('span');
  ex.className = 'ss-excerpt';
  appendExcerpt(ex, p.excerpt);
  a.append(t, ex);
  li.append(a);
  const subs = (p.sub_results ?? []).filter((s) => s.url.includes('#')).slice(0, MAX_SUBS);
  if (subs.length) {
    const ul = document.createElement('ul');
    for (const s of subs) {
      const sli = document.createElement('li');
      const sa = document.createElement('a');
      sa.href = s.url;
      sa.className = 'ss-sub';
      const st = document.createElement('span');
      st.className = 'ss-section';
      st.textContent = s.title;
      const se = document.createElement('span');
      se.className = 'ss-excerpt';
      appendExcerpt(se, s.excerpt);
      sa.append(st, se);
      sli.append(sa);
      ul.append(sli);
    }
    li.append(ul);
  }
  return li;
}

/** Opens the dialog (building it on first call) and focuses the query field. */
export function openSearch(base: string, opener: HTMLElement): void {
  dialog ??= build(base);
  if (!dialog.open) {
    dialog.showModal();
    dialog.addEventListener('close', () => opener.focus(), { once: true });
  }
  const input = dialog.querySelector('input')!;
  input.focus();
  input.select();
  void loadPagefind(base).catch(() => undefined); // warm the index while the learner types
}
