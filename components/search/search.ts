/**
 * Site search, opened from the header button or with `/`. This module is the only part
 * loaded with the page (a few hundred bytes): it wires the button and the key. The dialog
 * logic (./search-ui.ts) and the Pagefind index (dist/pagefind/, built by scripts/postbuild.mjs)
 * load on first use, from this origin only, so nothing is fetched before the learner asks
 * and search keeps working offline once the service worker has cached the index.
 */

/** True when a key press should go to the element that has focus (text entry, editor). */
function typingInto(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || !!t.closest('.monaco-editor, .xterm');
}

/**
 * Wires `#search-open` and the `/` key. `base` is the site's base URL (import.meta.env.BASE_URL,
 * ending in `/`). Does nothing when the page has no search button.
 */
export function initSearch(base: string): void {
  const btn = document.getElementById('search-open');
  if (!btn) return;
  let ui: Promise<typeof import('./search-ui')> | undefined;
  const open = () => {
    ui ??= import('./search-ui');
    ui.then((m) => m.openSearch(base, btn)).catch(() => {
      ui = undefined;
      btn.setAttribute('data-error', 'Search could not load. Reload the page and try again.');
    });
  };
  btn.addEventListener('click', open);
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typingInto(e.target)) return;
    e.preventDefault();
    open();
  });
}
