/**
 * DOM-free view of the fd model (sims/fd) for the fd-table widget: the table rows as HTML and
 * the texts the server component and the custom element both show, so the first paint and
 * every later update are the same markup.
 */
import { errnoName, type FdEvent, type FdState } from '../../../sims/fd/index.ts';

/** Label of an open file description: 0, 1, 2 are the terminal; later ones /dev/null #1, #2, ... */
export function fileLabel(file: number): string {
  return file < 3 ? 'the terminal' : `/dev/null #${file - 2}`;
}

const STD = ['stdin', 'stdout', 'stderr'];

/** The fd the last call changed (new or closed), to highlight its row; null if none. */
export function changedFd(e: FdEvent | null): number | null {
  if (!e || e.ret < 0) return null;
  if (e.op.op === 'close') return e.op.fd;
  return e.ret;
}

/** `<tr>` rows for fds 0..limit-1: fd, what it refers to, and the next_fd marker. */
export function rowsHtml(s: FdState): string {
  const changed = changedFd(s.event);
  return s.slots
    .map((file, fd) => {
      const cls = ['fdw__row', file === null ? 'fdw__row--free' : 'fdw__row--open', fd === changed ? 'fdw__row--changed' : ''].filter(Boolean).join(' ');
      const what = file === null ? 'free' : `${fileLabel(file)}${fd < 3 && file === fd ? ` (${STD[fd]})` : ''}`;
      const hint = fd === s.nextFd ? '<span class="fdw__hint">next_fd</span>' : '';
      return `<tr class="${cls}" data-fd="${fd}"><th scope="row">${fd}</th><td>${what}</td><td>${hint}</td></tr>`;
    })
    .join('');
}

/** The result as a reader would see it from C: `3`, `0`, or `-1 (EBADF)`. */
export function resultText(e: FdEvent): string {
  return e.ret < 0 ? `-1, errno ${errnoName(e.ret)}` : String(e.ret);
}

/** Summary under the table: how many fds are open and where the search for a free one starts. */
export function summaryText(s: FdState): string {
  const open = s.slots.filter((f) => f !== null).length;
  return `${open} of ${s.limit} fds open; next_fd = ${s.nextFd}`;
}

/**
 * The widget's whole inner markup for a fresh process (server-rendered; the element upgrades
 * it). `uid` makes ids unique when a page has several widgets. Buttons start disabled and the
 * element enables them, so nothing looks clickable before it works.
 */
export function widgetHtml(s: FdState, uid: string): string {
  const btn = (call: string, label: string, extra = '') => `<button type="button" data-call="${call}" disabled${extra}>${label}</button>`;
  return `<div class="steplog fdw">
  <div class="fdw__tablebox">
    <table class="steplog__table">
      <caption>File descriptor table of one process (RLIMIT_NOFILE = ${s.limit})</caption>
      <thead><tr><th scope="col">fd</th><th scope="col">refers to</th><th scope="col"><span class="fdw__sr">search hint</span></th></tr></thead>
      <tbody>${rowsHtml(s)}</tbody>
    </table>
    <p class="fdw__summary">${summaryText(s)}</p>
  </div>
  <form class="steplog__controls" aria-labelledby="${uid}-h">
    <p class="steplog__h" id="${uid}-h">Make a system call</p>
    <div class="fdw__fields">
      <label>fd <input name="fd" type="text" inputmode="numeric" autocomplete="off" value="3" size="4"></label>
      <label>newfd / min <input name="arg" type="text" inputmode="numeric" autocomplete="off" value="10" size="4"></label>
    </div>
    <div class="steplog__buttons">
      ${btn('open', '<code>open()</code>')}
      ${btn('close', '<code>close(fd)</code>')}
      ${btn('dup', '<code>dup(fd)</code>')}
      ${btn('dup2', '<code>dup2(fd, newfd)</code>')}
      ${btn('dupfd', '<code>fcntl(fd, F_DUPFD, min)</code>')}
    </div>
    <div class="steplog__buttons">
      ${btn('back', 'Step back')}
      ${btn('reset', 'Reset')}
    </div>
    <p class="steplog__status" role="status" aria-live="polite" aria-atomic="true"></p>
    <ol class="steplog__log" aria-label="Calls made so far" tabindex="0"></ol>
  </form>
</div>`;
}
