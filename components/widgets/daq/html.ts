/**
 * HTML strings of the data-acquisition widget, with no DOM: the counters, the formula with
 * its terms for the current parameters, and the table view (activities by lane, buffers).
 * The server renders the initial state with them and `<daq-sim>` re-renders on each step.
 */
import { throughput } from '../../../sims/daq/formula.ts';
import { LANE_NAMES, type DaqState } from '../../../sims/daq/model.ts';
import { ringOwners, type RingState } from '../../../sims/daq/ring.ts';
import { bytes, counters, dur, mbps, num, OWNER_TEXT } from './format.ts';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const table = (caption: string, head: string[], rows: string[][], region = caption): string =>
  `<div class="sim-scroll" tabindex="0" role="region" aria-label="${esc(region)}"><table class="sim-table daq-table"><caption>${esc(caption)}</caption>` +
  `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
  `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`).join('')}</tbody></table></div>`;

/** The counters as a description list (`data-counter` on each value, for tests). */
export function countersHtml(s: DaqState): string {
  return `<dl class="daq-counters">${counters(s)
    .map((c) => `<div class="daq-counter${c.bad ? ' daq-bad' : ''}"><dt>${esc(c.label)}</dt><dd data-counter="${c.key}">${esc(c.value)}</dd></div>`)
    .join('')}</dl>`;
}

/** The steady-state formula of the current parameters, with each term's value. */
export function formulaHtml(s: DaqState): string {
  const f = throughput(s.params);
  const unit = (v: number, u: string) => (u === 'ns' ? dur(v) : u === 'bytes' ? bytes(v) : mbps(v));
  return `<div class="daq-formula"><p><strong>Steady state, from the formula:</strong> <span data-part="formula-value">${esc(mbps(f.delivered_Bps))}</span> (limited by ${esc(f.limit)}).</p><p><code>${esc(f.formula)}</code></p><ul>${f.terms
    .map((t) => `<li><code>${esc(t.name)}</code> = ${esc(unit(t.value, t.unit))}: ${esc(t.meaning)}</li>`)
    .join('')}</ul></div>`;
}

/** The table view: every activity kept, by time; then the buffers. */
export function tablesHtml(s: DaqState): string {
  const acts = s.bars.map((b) => [esc(LANE_NAMES[b.lane]), esc(dur(b.t0_ns)), esc(dur(b.t1_ns)), esc(b.label)]);
  const d = `Design ${s.params.design}`;
  const parts = [table(`Activities up to ${dur(s.t_ns)} (the last ${s.bars.length})`, ['Lane', 'From', 'To', 'What'], acts.length ? acts : [['–', '', '', 'nothing yet']], `${d}: activities`)];
  if (s.params.design === 'C') {
    parts.push(table(`Ring: produced = ${s.produced}, consumed = ${s.consumed}`, ['Buffer', 'Owner'], s.slots.map((o, i) => [String(i), esc(OWNER_TEXT[o])]), `${d}: ring`));
  } else if (s.params.design === 'B') {
    const rows = s.dma_queue.map((t) => [`read #${t.ref + 1}`, `${esc(bytes(t.total - t.left))} of ${esc(bytes(t.total))} written by the device`]);
    for (const r of s.reads_done) rows.push([`read #${r + 1}`, 'done: being unmapped and unpinned']);
    parts.push(table('Reads queued at the device', ['Read', 'State'], rows.length ? rows : [['–', 'none: the device has no descriptors']], `${d}: reads`));
  } else {
    parts.push(table('The kmalloc buffer', ['Item', 'Value'], [['Current frame', `${esc(bytes(s.kbuf_bytes))} of ${esc(bytes(s.params.frame_bytes))}`], ['Frames waiting for the process', num(s.frames_waiting)]], `${d}: kmalloc buffer`));
  }
  return parts.join('');
}

/** The ring-protocol player's table: each buffer's owner, memory and CPU view, and the counters. */
export function ringTableHtml(s: RingState): string {
  const owners = ringOwners(s);
  const rows = owners.map((o, i) => [String(i), esc(o), s.mem[i] < 0 ? '–' : `frame ${s.mem[i]}`, s.cpu[i] < 0 ? '–' : `frame ${s.cpu[i]}`]);
  return (
    table('Buffers', ['Buffer', 'Owner', 'In memory', 'What the CPU sees'], rows) +
    table('Counters', ['Counter', 'Value'], [
      ['produced (control page)', String(s.produced)],
      ['consumed (control page)', String(s.consumed)],
      ['DMAs started / completed', `${s.started} / ${s.completed}`],
      ['overruns', String(s.overruns)],
      ['frames user space received', s.received.length ? s.received.map((v) => (v < 0 ? 'nothing (no frame)' : String(v))).join(', ') : 'none'],
      ['user space', s.asleep ? 'asleep in poll()' : 'awake'],
    ])
  );
}
