/**
 * The data-acquisition widget's drawings, with no DOM: the lanes timeline (device with its
 * FIFO gauge, DMA engine, interrupt, kernel thread, process) over the window of the last
 * activities, and the buffers (the ring with each buffer's owner in design C, the reads the
 * device holds descriptors for in design B, the kmalloc buffer in design A), each a `Scene`
 * (components/scene/scene.ts) of a fixed size: the server draws the first state with
 * `sceneToSvg` and the element draws every step with `drawScene`. Also the ring-protocol
 * panel's drawing (`ringSvg`, an SVG string: that panel is not a preset player).
 *
 * Sizes are SVG user units. Text is 10 to 11 units: on a phone a figure is drawn at least
 * `DAQ_PHONE_MIN_W` px wide so the smallest text stays at 11 px.
 */
import { phoneMinWidth, type Scene, type Shape } from '../../scene/scene.ts';
import { LANES, LANE_NAMES, ringOwners, type Bar, type DaqState, type RingState } from '../../../sims/daq/index.ts';
import { bytes, dur } from './format.ts';

/** Width of both scenes (timeline and buffers), in SVG user units. */
export const DAQ_SCENE_W = 560;
/** Smallest text size of the scenes (`.daq-barlabel`, `.daq-tick`, `.daq-note`, `.daq-slotown`), in user units. */
export const DAQ_MIN_FONT = 10;
/** Phones: the drawings' minimum width in CSS px, so the smallest text is 11 px. */
export const DAQ_PHONE_MIN_W = phoneMinWidth(DAQ_MIN_FONT, DAQ_SCENE_W);

/** The lane names' column, right of the bars. */
const LABEL_W = 96;
const LANE_H = 30;
const TOP = 6;
const AXIS_H = 24;
/** Height of the timeline scene. */
export const TIMELINE_H = TOP + LANES.length * LANE_H + AXIS_H;
/** Height of the buffers scene. */
export const BUFFERS_H = 70;
/** Width of one character of a bar label (10-unit monospace), to shorten labels that do not fit. */
const CHAR_W = 6.1;

/** Rounds a coordinate to 0.1 unit (short, stable markup). */
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** The time window shown: from the oldest kept bar (or 0) to now, at least 1 µs. */
export function timeWindow(s: DaqState): { t0: number; t1: number } {
  const t1 = Math.max(s.t_ns, 1000);
  let t0 = t1;
  for (const b of s.bars) t0 = Math.min(t0, b.t0_ns);
  if (s.bars.length === 0) t0 = 0;
  if (t1 - t0 < 1000) t0 = Math.max(0, t1 - 1000);
  return { t0, t1 };
}

/** Round tick step (1, 2, 5 × 10^k ns) giving about 4 ticks over `span` ns. */
function tickStep(span: number): number {
  const raw = span / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** A one-sentence description of the timeline, for the SVG's `<desc>`. */
export function timelineDesc(s: DaqState): string {
  const last = s.bars.slice(-3).map((b) => `${LANE_NAMES[b.lane]}: ${b.label} (${dur(b.t0_ns)} to ${dur(b.t1_ns)})`);
  return `Activity by lane up to ${dur(s.t_ns)}. ${last.length ? `Latest: ${last.join('; ')}.` : 'Nothing has happened yet.'} The table view lists every activity.`;
}

/** `label` cut to fit `w` units (with an ellipsis), or '' when not even one character fits. */
function fit(label: string, w: number): string {
  if (w <= 40) return '';
  if (label.length * CHAR_W <= w - 6) return label;
  return `${label.slice(0, Math.max(1, Math.floor((w - 10) / CHAR_W)))}…`;
}

/**
 * The lanes timeline of state `s` (DAQ_SCENE_W × TIMELINE_H): a lane per actor named on the
 * right, the FIFO's fill level beside the device lane's name (red when full), one bar per
 * kept activity (an overflow still going on included) with its label when it fits, a time
 * axis, and a "now" line. Bars keep their key from step to step, so they slide left as the
 * window moves.
 */
export function timelineScene(s: DaqState): Scene {
  const { t0, t1 } = timeWindow(s);
  // Bars on the left, lane names on the right beside "now": a phone scrolls the drawing to
  // its right end, where the latest activities and the names are.
  const left = 8;
  const right = DAQ_SCENE_W - LABEL_W;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (right - left);
  const shapes: Shape[] = [];
  LANES.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    shapes.push({ kind: 'rect', key: `rect-lane-${lane}`, cls: 'daq-lane', x: left, y, w: right - left, h: LANE_H - 6, rx: 3 });
    shapes.push({ kind: 'text', key: `text-lane-${lane}`, cls: 'daq-lanename', x: right + 6, y: y + (LANE_H - 6) / 2 + 4, text: LANE_NAMES[lane] });
  });
  // The FIFO's fill level, a gauge at the right end of the device lane's name.
  const gaugeH = LANE_H - 10;
  const gx = DAQ_SCENE_W - 16;
  const frac = Math.min(1, s.fifo_level / s.params.fifo_bytes);
  shapes.push({ kind: 'rect', key: 'rect-fifo-bg', cls: 'daq-fifo-bg', x: gx, y: TOP + 2, w: 12, h: gaugeH, rx: 2 });
  shapes.push({ kind: 'rect', key: 'rect-fifo', cls: `daq-fifo${frac >= 1 ? ' daq-fifo-full' : ''}`, x: gx, y: r1(TOP + 2 + (1 - frac) * gaugeH), w: 12, h: r1(frac * gaugeH), rx: 2 });
  const bars: Bar[] = s.bars.slice();
  if (s.full_since_ns >= 0) bars.push({ lane: 'device', t0_ns: s.full_since_ns, t1_ns: s.t_ns, label: 'FIFO full: bytes lost', kind: 'overflow' });
  const seen = new Set<string>();
  for (const b of bars) {
    let id = `${b.lane}-${b.t0_ns}-${b.kind}`;
    for (let k = 2; seen.has(id); k++) id = `${b.lane}-${b.t0_ns}-${b.kind}-${k}`;
    seen.add(id);
    const y = TOP + LANES.indexOf(b.lane) * LANE_H + 2;
    const xa = x(Math.max(b.t0_ns, t0));
    const w = Math.max(1.5, x(b.t1_ns) - xa);
    shapes.push({ kind: 'rect', key: `rect-bar-${id}`, cls: `daq-bar daq-k-${b.kind}`, x: r1(xa), y, w: r1(w), h: LANE_H - 10, rx: 2 });
    const label = fit(b.label, w);
    if (label) shapes.push({ kind: 'text', key: `text-bar-${id}`, cls: 'daq-barlabel', x: r1(xa + 3), y: y + (LANE_H - 10) / 2 + 3.5, text: label });
  }
  const axisY = TOP + LANES.length * LANE_H;
  shapes.push({ kind: 'path', key: 'path-axis', cls: 'daq-axis', d: `M${left} ${axisY}H${right}` });
  const step = tickStep(t1 - t0);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const tx = r1(x(t));
    shapes.push({ kind: 'path', key: `path-tick-${t}`, cls: 'daq-axis', d: `M${tx} ${axisY}V${axisY + 4}` });
    shapes.push({ kind: 'text', key: `text-tick-${t}`, cls: 'daq-tick', x: tx, y: axisY + 16, text: dur(t), anchor: tx > right - 24 ? 'end' : tx < left + 24 ? 'start' : 'middle' });
  }
  shapes.push({ kind: 'text', key: 'text-now', cls: 'daq-tick', x: right + 6, y: axisY + 16, text: 'now' });
  shapes.push({ kind: 'path', key: 'path-now', cls: 'daq-now', d: `M${right} ${TOP - 4}V${axisY}` });
  return { width: DAQ_SCENE_W, height: TIMELINE_H, shapes, desc: timelineDesc(s) };
}

/**
 * The buffers of state `s` (DAQ_SCENE_W × BUFFERS_H): design C, the ring's buffers coloured
 * by owner with the control page's counters; design B, the reads the device holds
 * descriptors for and those done; design A, how much of the current frame the kmalloc
 * buffer holds. Slots keep their keys, so owners change colour in place.
 */
export function buffersScene(s: DaqState): Scene {
  const p = s.params;
  const W = DAQ_SCENE_W;
  const shapes: Shape[] = [];
  const note = (key: string, y: number, text: string): void => {
    shapes.push({ kind: 'text', key: `text-note-${key}`, cls: 'daq-note', x: 10, y, text });
  };
  if (p.design === 'C') {
    const n = p.ring_buffers;
    const gap = n > 16 ? 2 : 6;
    const w = Math.min(64, (W - 20) / n - gap);
    s.slots.forEach((owner, i) => {
      const x0 = r1(10 + i * (w + gap));
      shapes.push({ kind: 'rect', key: `rect-slot-${i}`, cls: `daq-slot daq-own-${owner}`, x: x0, y: 22, w: r1(w), h: 40, rx: 4 });
      if (w >= 14) shapes.push({ kind: 'text', key: `text-slotno-${i}`, cls: 'daq-slotno', x: r1(x0 + w / 2), y: 38, text: String(i), anchor: 'middle' });
      if (w > 40) shapes.push({ kind: 'text', key: `text-slotown-${i}`, cls: 'daq-slotown', x: r1(x0 + w / 2), y: 54, text: owner, anchor: 'middle' });
    });
    note('ring', 14, `Ring of ${n} × ${bytes(p.frame_bytes)}: produced = ${s.produced}, consumed = ${s.consumed} (${s.produced - s.consumed} ready for user space)`);
  } else if (p.design === 'B') {
    note('reads', 14, `read() calls queued at the device (${p.reads_in_flight} at a time), each ${bytes(p.read_bytes)} of pinned user pages`);
    const items = s.dma_queue.map((t, i) => ({ key: `read-${t.ref}`, label: `read #${t.ref + 1}: ${Math.round(((t.total - t.left) / t.total) * 100)}% written`, cls: i === 0 ? 'device' : 'driver' }));
    for (const r of s.reads_done) items.push({ key: `read-${r}`, label: `read #${r + 1}: done, returning`, cls: 'user' });
    if (items.length === 0) items.push({ key: 'none', label: 'no descriptors: the device has nowhere to write', cls: 'none' });
    const slots = Math.max(3, items.length);
    const w = (W - 20) / slots - 8;
    items.forEach((it, i) => {
      const x0 = r1(10 + i * (w + 8));
      const wide = it.key === 'none' ? W - 20 : r1(w);
      shapes.push({ kind: 'rect', key: `rect-${it.key}`, cls: `daq-slot daq-own-${it.cls}`, x: x0, y: 24, w: wide, h: 34, rx: 4 });
      shapes.push({ kind: 'text', key: `text-${it.key}`, cls: 'daq-slotown', x: r1(x0 + wide / 2), y: 45, text: it.label, anchor: 'middle' });
    });
  } else {
    const frac = Math.min(1, s.kbuf_bytes / p.frame_bytes);
    note('kbuf', 14, `kmalloc buffer: ${bytes(s.kbuf_bytes)} of the ${bytes(p.frame_bytes)} frame, copied in with readl()`);
    shapes.push({ kind: 'rect', key: 'rect-kbuf-bg', cls: 'daq-slot daq-own-none', x: 10, y: 22, w: W - 20, h: 26, rx: 4 });
    shapes.push({ kind: 'rect', key: 'rect-kbuf', cls: 'daq-slot daq-own-driver', x: 10, y: 22, w: r1((W - 20) * frac), h: 26, rx: 4 });
    note('waiting', 64, `Frames waiting for the signal handler: ${s.frames_waiting}`);
  }
  return { width: W, height: BUFFERS_H, shapes, desc: buffersDesc(s) };
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
