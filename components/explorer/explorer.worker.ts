/**
 * The explorer Worker: runs the model checker off the page's main thread, so the page never
 * freezes. Work is done by `host.ts` in ~50 ms slices; between slices it yields with
 * `setTimeout(0)` so a `cancel` message can get in, and posts progress.
 *
 * Served from /_astro/workers/ with a Content-Security-Policy that allows no network.
 */
import { createExplorerHost } from './host.ts';
import type { FromExplorer } from './protocol.ts';

/** The parts of a dedicated worker's global scope used here (the DOM lib lacks its type). */
const scope = self as unknown as { postMessage(m: FromExplorer): void; onmessage: ((ev: MessageEvent<unknown>) => void) | null };

const host = createExplorerHost({
  post: (m) => scope.postMessage(m satisfies FromExplorer),
  defer: (fn) => setTimeout(fn, 0),
});

scope.onmessage = (ev: MessageEvent<unknown>) => {
  host.handle(ev.data);
};
