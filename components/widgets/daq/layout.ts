/**
 * SVG of the data-acquisition widget as strings, with no DOM: the lanes timeline (device,
 * DMA engine, interrupt, kernel thread, process) over the window of the last activities,
 * and the buffers panel (the ring with each buffer's owner in design C, the reads in flight
 * in design B, the kmalloc buffer in design A). The server renders the initial state with
 * these, and `<daq-sim>` swaps them in on every step.
 */
import { LANES, LANE_NAMES, type Bar, type DaqState } from '../../../sims/daq/model.ts';
import { ringOwners, type RingState } from '../../../sims/daq/ring.ts';
import { bytes, dur } from './format.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const TIMELINE_W = 720;
const LABEL_W = 104;
const LANE_H = 30;
const TOP = 8;
const AXIS_H = 26;
export const TIMELINE_H = TOP + LANES.length * LANE_H + AXIS_H;

/** The time window shown: from the oldest kept bar (or 0) to now, at least 1 µs. */
export function timeWindow(s: DaqState): { t0: number; t1: number } {
  const t1 = Math.max(s.t_ns, 1000);
  let t0 = t1;
  for (const b of s.bars) t0 = Math.min(t0, b.t0_ns);
  if (s.bars.length === 0) t0 = 0;
  if (t1 - t0 < 1000) t0 = Math.max(0, t1 - 1000);
  return { t0, t1 };
}

/** Round tick step (1, 2, 5 × 10^k ns) giving about 5 ticks over `span` ns. */
function tickStep(span: number): number {
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** A one-sentence description of the timeline, for the SVG's `<desc>`. */
export function timelineDesc(s: DaqState): string {
  const last = s.bars.slice(-3).map((b) => `${LANE_NAMES[b.lane]}: ${b.label} (${dur(b.t0_ns)} to ${dur(b.t1_ns)})`);
  return `Activity by lane up to ${dur(s.t_ns)}. ${last.length ? `Latest: ${last.join('; ')}.` : 'Nothing has happened yet.'} The table view lists every activity.`;
}

/** The lanes timeline as SVG markup (the inside of an `<svg>` with viewBox 0 0 TIMELINE_W TIMELINE_H). */
export function timelineSvg(s: DaqState): string {
  const { t0, t1 } = timeWindow(s);
  const x = (t: number) => LABEL_W + ((t - t0) / (t1 - t0)) * (TIMELINE_W - LABEL_W - 8);
  const parts: string[] = [];
  LANES.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    parts.push(`<rect class="daq-lane" x="${LABEL_W}" y="${y}" width="${TIMELINE_W - LABEL_W - 8}" height="${LANE_H - 6}" rx="3"/>`);
    parts.push(`<text class="daq-lanename" x="${LABEL_W - 6}" y="${y + LANE_H / 2}" text-anchor="end">${esc(LANE_NAMES[lane])}</text>`);
  });
  // FIFO level gauge on the device lane.
  const F = s.params.fifo_bytes;
  const frac = Math.min(1, s.fifo_level / F);
  parts.push(`<rect class="daq-fifo-bg" x="4" y="${TOP + 3}" width="22" height="${LANE_H - 12}" rx="2"/>`);
  parts.push(`<rect class="daq-fifo${frac >= 1 ? ' daq-fifo-full' : ''}" x="4" y="${TOP + 3 + (1 - frac) * (LANE_H - 12)}" width="22" height="${frac * (LANE_H - 12)}" rx="2"/>`);
  const bar = (b: Bar) => {
    const i = LANES.indexOf(b.lane);
    const y = TOP + i * LANE_H + 2;
    const xa = x(Math.max(b.t0_ns, t0));
    const w = Math.max(1.5, x(b.t1_ns) - xa);
    const label = w > 46 ? `<text class="daq-barlabel" x="${xa + 3}" y="${y + (LANE_H - 6) / 2 + 1}">${esc(b.label.length * 5.6 > w - 6 ? `${b.label.slice(0, Math.max(1, Math.floor((w - 10) / 5.6)))}…` : b.label)}</text>` : '';
    return `<g><rect class="daq-bar daq-k-${esc(b.kind)}" x="${xa.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${LANE_H - 10}" rx="2"><title>${esc(`${LANE_NAMES[b.lane]}: ${b.label}, ${dur(b.t0_ns)} to ${dur(b.t1_ns)}`)}</title></rect>${label}</g>`;
  };
  for (const b of s.bars) parts.push(bar(b));
  // An overflow still going on.
  if (s.full_since_ns >= 0) parts.push(bar({ lane: 'device', t0_ns: s.full_since_ns, t1_ns: s.t_ns, label: 'FIFO full: bytes lost', kind: 'overflow' }));
  const axisY = TOP + LANES.length * LANE_H + 4;
  parts.push(`<line class="daq-axis" x1="${LABEL_W}" x2="${TIMELINE_W - 8}" y1="${axisY}" y2="${axisY}"/>`);
  const step = tickStep(t1 - t0);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    parts.push(`<line class="daq-axis" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${axisY}" y2="${axisY + 4}"/><text class="daq-tick" x="${x(t).toFixed(1)}" y="${axisY + 15}" text-anchor="middle">${esc(dur(t))}</text>`);
  }
  parts.push(`<line class="daq-now" x1="${x(t1).toFixed(1)}" x2="${x(t1).toFixed(1)}" y1="${TOP - 4}" y2="${axisY}"/>`);
  return parts.join('');
}

export const BUFFERS_W = 720;
export const BUFFERS_H = 92;

/** The buffers panel as SVG markup (viewBox 0 0 BUFFERS_W BUFFERS_H). */
export function buffersSvg(s: DaqState): string {
  const p = s.params;
  const out: string[] = [];
  if (p.design === 'C') {
    const n = p.ring_buffers;
    const w = Math.min(80, (BUFFERS_W - 20) / n - 6);
    s.slots.forEach((owner, i) => {
      const x0 = 10 + i * (w + 6);
      out.push(`<rect class="daq-slot daq-own-${owner}" x="${x0}" y="22" width="${w}" height="40" rx="4"/>`);
      out.push(`<text class="daq-slotno" x="${x0 + w / 2}" y="38" text-anchor="middle">${i}</text>`);
      if (w > 40) out.push(`<text class="daq-slotown" x="${x0 + w / 2}" y="54" text-anchor="middle">${owner}</text>`);
    });
    out.push(`<text class="daq-note" x="10" y="14">Ring of ${n} × ${esc(bytes(p.frame_bytes))}: produced = ${s.produced}, consumed = ${s.consumed} (${s.produced - s.consumed} ready for user space)</text>`);
    out.push(`<text class="daq-note" x="10" y="80">device = armed for DMA · driver = filled, interrupt not yet handled · user = published, the process owns it</text>`);
  } else if (p.design === 'B') {
    out.push(`<text class="daq-note" x="10" y="14">read() calls queued at the device (${p.reads_in_flight} at a time), each ${esc(bytes(p.read_bytes))} of pinned user pages</text>`);
    const items = s.dma_queue.map((t, i) => ({ label: `read #${t.ref + 1}: ${Math.round(((t.total - t.left) / t.total) * 100)}% written`, cls: i === 0 ? 'device' : 'driver' }));
    for (const r of s.reads_done) items.push({ label: `read #${r + 1}: done, being returned`, cls: 'user' });
    if (items.length === 0) items.push({ label: 'no descriptors: the device has nowhere to write', cls: 'none' });
    items.forEach((it, i) => {
      out.push(`<rect class="daq-slot daq-own-${it.cls}" x="${10 + i * 236}" y="24" width="228" height="34" rx="4"/><text class="daq-slotown" x="${10 + i * 236 + 114}" y="45" text-anchor="middle">${esc(it.label)}</text>`);
    });
  } else {
    const frac = Math.min(1, s.kbuf_bytes / p.frame_bytes);
    out.push(`<text class="daq-note" x="10" y="14">kmalloc buffer: ${esc(bytes(s.kbuf_bytes))} of the ${esc(bytes(p.frame_bytes))} frame copied in with readl(); frames waiting for the signal handler: ${s.frames_waiting}</text>`);
    out.push(`<rect class="daq-slot daq-own-none" x="10" y="24" width="${BUFFERS_W - 20}" height="30" rx="4"/><rect class="daq-slot daq-own-driver" x="10" y="24" width="${((BUFFERS_W - 20) * frac).toFixed(1)}" height="30" rx="4"/>`);
  }
  return out.join('');
}

/** A one-sentence description of the buffers panel. */
export function buffersDesc(s: DaqState): string {
  if (s.params.design === 'C') return `Ring buffers and owners: ${s.slots.map((o, i) => `${i} ${o}`).join(', ')}.`;
  if (s.params.design === 'B') return `${s.dma_queue.length} read(s) queued at the device, ${s.reads_done.length} done.`;
  return `The kmalloc buffer holds ${bytes(s.kbuf_bytes)} of the current frame.`;
}

export const RING_H = 80;
/** Width of the ring drawing for `n` buffers (viewBox units). */
export function ringWidth(n: number): number {
  return 20 + n * 98;
}

/** The ring-protocol player's drawing: each slot with its owner and the frame in memory and in the CPU's view. */
export function ringSvg(s: RingState): string {
  const owners = ringOwners(s);
  const n = s.p.n;
  const w = 90;
  return owners
    .map((o, i) => {
      const x0 = 10 + i * (w + 8);
      const mem = s.mem[i] < 0 ? '–' : `f${s.mem[i]}`;
      const cpu = s.cpu[i] < 0 ? '–' : `f${s.cpu[i]}`;
      return `<rect class="daq-slot daq-own-${o}" x="${x0}" y="6" width="${w}" height="66" rx="4"/><text class="daq-slotno" x="${x0 + w / 2}" y="22" text-anchor="middle">buffer ${i}</text><text class="daq-slotown" x="${x0 + w / 2}" y="38" text-anchor="middle">${o}</text><text class="daq-slotown" x="${x0 + w / 2}" y="52" text-anchor="middle">memory ${mem}</text><text class="daq-slotown" x="${x0 + w / 2}" y="66" text-anchor="middle">CPU sees ${cpu}</text>`;
    })
    .join('');
}
