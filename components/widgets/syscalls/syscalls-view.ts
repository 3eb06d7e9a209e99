/**
 * DOM-free view of the syscalls model (sims/syscalls) for the ioctl-versus-sysfs widget: the
 * call sequence of the chosen way, the counts of all four ways side by side, and the whole
 * widget's first markup. The server component and the custom element both call these, so the
 * first paint and every later update are the same HTML.
 */
import { compare, plan, summary, WAYS, WAY_LABELS, type Counts, type Plan, type Way } from '../../../sims/syscalls/index.ts';
import { esc } from '../../player/shell-html.ts';

/** The widget's largest N (the model allows more; the table stays readable up to here). */
export const MAX_N = 100_000;

const num = (n: number) => n.toLocaleString('en-US');

/** Short column headings for the counts table. */
export const WAY_SHORT: Record<Way, string> = {
  'sysfs-reopen': 'sysfs, reopened',
  'sysfs-open': 'sysfs, kept open',
  ioctl: 'ioctl',
  'ioctl-batch': 'ioctl, batch',
};

/** The counted rows: label and the field of Counts. */
export const METRICS: readonly { key: keyof Counts; label: string }[] = [
  { key: 'syscalls', label: 'system calls' },
  { key: 'crossings', label: 'user/kernel crossings' },
  { key: 'bytesIn', label: 'bytes copied in' },
  { key: 'parses', label: 'text parses (store)' },
  { key: 'lookups', label: 'path lookups' },
  { key: 'opens', label: 'open files created' },
];

/** `<tr>` rows of the chosen way's calls: how often, the call, what the kernel does. */
export function sequenceRows(p: Plan): string {
  return p.groups
    .flatMap((g) => g.calls.map((c) => {
      const times = g.phase === 'each' ? (g.repeat === 1 ? 'once' : `× ${num(g.repeat)}`) : 'once';
      return `<tr class="scw__ph--${g.phase}"><td class="scw__times">${times}</td><td><code>${esc(c.text)}</code><span class="scw__work">${esc(c.work)}</span></td></tr>`;
    }))
    .join('');
}

/** The counts table's `<thead>` and `<tbody>` for all four ways at `n`, the chosen way marked. */
export function countsInner(n: number, chosen: Way): string {
  const rows = compare(n);
  const head = `<thead><tr><th scope="col">for ${num(n)} value${n === 1 ? '' : 's'}</th>${rows.map((r) => `<th scope="col"${r.way === chosen ? ' class="scw__sel"' : ''}>${WAY_SHORT[r.way]}${r.way === chosen ? '<span class="scw__sr"> (chosen)</span>' : ''}</th>`).join('')}</tr></thead>`;
  const body = METRICS.map((m) => `<tr><th scope="row">${m.label}</th>${rows.map((r) => `<td${r.way === chosen ? ' class="scw__sel"' : ''} data-way="${r.way}" data-metric="${m.key}">${num(r.counts[m.key])}</td>`).join('')}</tr>`).join('');
  return `${head}<tbody>${body}</tbody>`;
}

/**
 * Parses the N field: an integer in 1..MAX_N, or an error message (nothing changes then).
 */
export function parseN(raw: string): { n: number } | { error: string } {
  const t = raw.trim().replace(/[,_\s]/g, '');
  if (!/^\d{1,7}$/.test(t)) return { error: `N must be a whole number from 1 to ${num(MAX_N)}.` };
  const n = Number(t);
  return n >= 1 && n <= MAX_N ? { n } : { error: `N must be a whole number from 1 to ${num(MAX_N)}.` };
}

/**
 * The widget's whole inner markup for `n` values set the `way` way. `uid` makes ids unique.
 * Controls start disabled; the element enables them.
 */
export function widgetHtml(n: number, way: Way, uid: string): string {
  const p = plan({ way, n });
  const radios = WAYS.map((w) => `<label><input type="radio" name="${uid}-way" value="${w}"${w === way ? ' checked' : ''} disabled> ${WAY_LABELS[w]}</label>`).join('');
  return `<div class="scw">
  <form class="scw__controls" aria-label="Choose how to set the values">
    <label class="scw__n">Values to set, N <input name="n" type="text" inputmode="numeric" autocomplete="off" value="${n}" size="7" disabled></label>
    <fieldset class="scw__ways"><legend>Way</legend>${radios}</fieldset>
  </form>
  <p class="scw__status" role="status" aria-live="polite" aria-atomic="true">${esc(summary(p))}</p>
  <table class="scw__seq">
    <caption>The calls, in order</caption>
    <thead><tr><th scope="col">how often</th><th scope="col">call, and what the kernel does for it</th></tr></thead>
    <tbody>${sequenceRows(p)}</tbody>
  </table>
  <div class="scw__scroll" role="region" aria-label="Counts of every way" tabindex="0">
    <table class="scw__counts">${countsInner(n, way)}</table>
  </div>
</div>`;
}
