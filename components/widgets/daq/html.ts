/**
 * HTML strings of the data-acquisition widget, with no DOM: the counters, the formula with
 * its terms for the current parameters, and the table view (activities by lane, buffers).
 * Also the legends of the drawings and the parameter form. The server renders the first state
 * with them and `<daq-sim>` re-renders on each step (`definition.ts` says which part is which).
 */
import { LANE_NAMES, ringOwners, throughput, type DaqParams, type DaqState, type RingState } from '../../../sims/daq/index.ts';
import { esc } from '../../player/shell-html.ts';
import { FIELDS, fieldValue } from './fields.ts';
import { bytes, counters, dur, mbps, num, OWNER_TEXT } from './format.ts';

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

/** Legend item: a swatch of class `cls` and its words (HTML). */
const key = (cls: string, words: string): string => `<li><span class="daq-key ${cls}" aria-hidden="true"></span>${words}</li>`;

/** The timeline's legend: what each colour of bar is, for the design of `p`. */
export function timelineLegendHtml(p: DaqParams): string {
  const items = [key('daq-fifo', 'FIFO fill level (beside “device”; red when full)'), key('daq-k-overflow', 'FIFO full: bytes lost')];
  if (p.design === 'A') items.push(key('daq-k-mmio', 'CPU reads of the device (readl)'), key('daq-k-copy', 'signal, copy_to_user'), key('daq-k-sleep', 'asleep (msleep)'));
  else items.push(key('daq-k-dma', 'DMA into memory'), key('daq-k-irq', 'interrupt handler'), key('daq-k-user', 'the process'), key('daq-k-sleep', 'asleep, waiting'));
  return `<ul class="daq-legend">${items.join('')}</ul>`;
}

/** The buffers' legend: who owns a buffer, for the design of `p` ('' for design A). */
export function buffersLegendHtml(p: DaqParams): string {
  if (p.design === 'C') return `<ul class="daq-legend">${key('daq-own-device', 'device: armed for DMA')}${key('daq-own-driver', 'driver: filled, interrupt not yet handled')}${key('daq-own-user', 'user: published, the process owns it')}</ul>`;
  if (p.design === 'B') return `<ul class="daq-legend">${key('daq-own-device', 'the device is writing it')}${key('daq-own-driver', 'queued, descriptors ready')}${key('daq-own-user', 'done, returning to the process')}</ul>`;
  return '';
}

/**
 * The form to change the parameters and the cost table of a run of `p` (only the fields of
 * its design), in a closed `<details>`. Its inputs and buttons are disabled until the
 * element upgrades (`data-needs-js`). Parts: `params` (the form), `params-reset`, `params-msg`.
 */
export function paramsFormHtml(p: DaqParams): string {
  const fields = FIELDS.filter((f) => f.designs.includes(p.design))
    .map(
      (f) =>
        `<label class="daq-field"><span>${esc(f.label)}${f.unit ? ` (${esc(f.unit)})` : ''}</span><input type="number" name="${esc(f.name)}" value="${fieldValue(p, f)}" step="any" inputmode="decimal" data-needs-js disabled></label>`,
    )
    .join('');
  return (
    `<details class="daq-params"><summary>Change the parameters and the cost table</summary>` +
    `<form data-part="params" class="daq-form" novalidate>${fields}` +
    `<div class="daq-form-actions"><button type="submit" class="sim-btn sim-btn-primary" data-needs-js disabled>Run with these</button><button type="button" class="sim-btn" data-part="params-reset" data-needs-js disabled>Back to the preset</button></div>` +
    `<p class="daq-form-msg" data-part="params-msg" role="status"></p></form>` +
    `<p class="sim-note">Every default cost has a source or is marked as an assumption in <code>sims/daq/costs.ts</code>; the figures are a model, not a measurement of your machine.</p></details>`
  );
}
