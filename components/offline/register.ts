/**
 * Offline after the first visit: registers the service worker that scripts/postbuild.mjs
 * generates with Workbox (dist/sw.js, precaching every page, script, style, font, worker and
 * the search index), shows its state in `#offline-status`, and offers a reload when a newer
 * build has been installed. Not registered under `npm run dev` (there is no sw.js there).
 *
 * States written to `#offline-status[data-state]`:
 *  - `saving`: first visit, the worker is downloading the site;
 *  - `ready`: the site is cached: "Available offline";
 *  - `update`: a new build is installed and waits; the button reloads into it;
 *  - `unsupported` / `error`: no offline copy (private mode, old browser, failed install).
 */
export function initOffline(base: string): void {
  const box = document.getElementById('offline-status');
  if (!box || !import.meta.env.PROD) return;
  const sw = navigator.serviceWorker;
  if (!sw || !window.isSecureContext) {
    show(box, 'unsupported', 'This browser keeps no offline copy of the site.');
    return;
  }
  let reloading = false;
  const prompt = (waiting: ServiceWorker) => {
    show(box, 'update', 'A new version of the lessons is available.');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn offline-reload';
    b.textContent = 'Reload to update';
    b.addEventListener('click', () => {
      reloading = true;
      b.disabled = true;
      waiting.postMessage({ type: 'SKIP_WAITING' });
    });
    box.append(' ', b);
  };
  sw.addEventListener('controllerchange', () => {
    if (reloading) location.reload();
  });
  const start = async () => {
    try {
      const reg = await sw.register(`${base}sw.js`, { scope: base });
      const watch = (w: ServiceWorker) =>
        w.addEventListener('statechange', () => {
          if (w.state === 'installed' && sw.controller) prompt(w);
          if (w.state === 'redundant' && !reg.active) show(box, 'error', 'The offline copy could not be saved.');
        });
      if (reg.waiting && sw.controller) prompt(reg.waiting);
      else if (!reg.active) show(box, 'saving', 'Saving the lessons for offline use…');
      if (reg.installing) watch(reg.installing);
      reg.addEventListener('updatefound', () => reg.installing && watch(reg.installing));
      await sw.ready;
      if (box.dataset.state !== 'update') show(box, 'ready', 'Available offline');
    } catch {
      show(box, 'error', 'The offline copy could not be saved.');
    }
  };
  // After the page's own loading, so registration never competes with the lesson.
  if (document.readyState === 'complete') void start();
  else addEventListener('load', () => void start(), { once: true });
}

function show(box: HTMLElement, state: string, text: string): void {
  box.dataset.state = state;
  box.textContent = text;
}
