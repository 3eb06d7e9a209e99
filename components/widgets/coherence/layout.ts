/**
 * Layout of the cache-coherence / buffer-ownership diagrams, with no DOM: each function turns a
 * state of `sims/dma/coherence.ts` into a `Scene` (the keyed rectangles and texts of
 * `sg-layout.ts`, drawn on the server by `sceneToSvg` and in the browser by the d3 join of
 * `views/sg-diagrams.ts`).
 *
 * - `memoryScene`: RAM as a column of lines, each a row of bytes, and under each the CPU cache
 *   slot for that line (valid / dirty badge, its bytes, bytes that differ from RAM marked);
 *   uncached lines (a coherent buffer on a non-coherent CPU) and the swiotlb bounce slots
 *   labelled; the bytes each live mapping covers underlined in its owner's colour; bytes the
 *   last step changed outlined.
 * - `ownerScene`: one row per DMA mapping with its ownership token sitting at the CPU or at the
 *   device (spanning both for a coherent buffer); the token slides with map / sync / unmap.
 * - `dataScene`: the device's transfers (bytes written, or bytes sent against what the buffer
 *   held) and each CPU read against what a machine without caches would have read.
 *
 * Sizes depend only on the parameters (`cohFrame`), never on the step, so stepping never moves
 * the page.
 */
import type { CoherenceParams, CoherenceState, DeviceTransfer } from '../../../sims/dma/index.ts';
import {
  addr,
  changesOf,
  dataItemsOf,
  diffIndices,
  hex2,
  mappingLabel,
  maxMappingsOf,
  ownedSpans,
  platformInfo,
  range,
  slotInfo,
  tokenWords,
  transferWords,
} from './format.ts';
import { SCENE_W, type Scene, type Shape } from '../../scene/scene.ts';

/** Width of every diagram in SVG user units: the one scene width (`components/scene/scene.ts`). */
export const COH_W = SCENE_W;
/** The drawings' grid, in SVG user units. */
const GRID = {
  /** Outer margin. */
  margin: 4,
  /** Left edge of the byte cells. */
  cellX0: 56,
  /** Room for the column headings above the first line. */
  head: 16,
  /** Height of one row of byte cells. */
  row: 15,
  /** Space between a line's RAM row(s) and its cache row(s). */
  gap: 4,
  /** Space after a line (its RAM and cache rows), before the next. */
  groupGap: 6,
  /** Height of a band (the device's reach, the coherent pool, the swiotlb pool) above the first line it marks. */
  band: 16,
} as const;

/** Facts fixed by the parameters that decide the diagrams' sizes. */
export interface CohFrame {
  lines: number;
  lineSize: number;
  /** Bytes drawn per row (a line longer than 16 bytes wraps). */
  perRow: number;
  /** Width of one byte cell. */
  cell: number;
  /** First line of the coherent pool when the program allocates from it, else null. */
  poolFirst: number | null;
  poolLines: number;
  /** First line of the swiotlb pool (on `'swiotlb'`), else null. */
  tlbFirst: number | null;
  tlbLines: number;
  /** Lines below this index are within the device's reach; null when it reaches all RAM. */
  reachLines: number | null;
  maxMappings: number;
  items: { kind: 'read' | 'send' | 'write'; len: number }[];
}

/** The frame of a run (from its parameters only). */
export function cohFrame(p: CoherenceParams): CohFrame {
  const ls = p.lineSize;
  const perRow = Math.min(ls, 16);
  const usesPool = p.program.some((op) => op.op === 'dma_alloc_coherent');
  return {
    lines: p.ramLines,
    lineSize: ls,
    perRow,
    cell: Math.floor(((COH_W - GRID.cellX0 - GRID.margin) / perRow) * 4) / 4,
    poolFirst: usesPool && p.coherentPool ? p.coherentPool.addr / ls : null,
    poolLines: usesPool && p.coherentPool ? p.coherentPool.size / ls : 0,
    tlbFirst: p.platform === 'swiotlb' && p.swiotlb ? p.swiotlb.addr / ls : null,
    tlbLines: p.platform === 'swiotlb' && p.swiotlb ? p.swiotlb.size / ls : 0,
    reachLines: p.dmaLimit < p.ramLines * ls ? p.dmaLimit / ls : null,
    maxMappings: Math.max(1, maxMappingsOf(p.program)),
    items: dataItemsOf(p.program),
  };
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

// ---------------------------------------------------------------------------------------
// (a) Memory: RAM lines and cache slots

/** Where line `n`'s rows start, and the bands (region headings) before lines; heights. */
interface MemRows {
  lineY: number[];
  bands: { key: string; y: number; before: number }[];
  height: number;
  rowsPerLine: number;
}

function memRows(f: CohFrame): MemRows {
  const rowsPerLine = f.lineSize / f.perRow;
  const groupH = rowsPerLine * GRID.row + GRID.gap + rowsPerLine * GRID.row + GRID.groupGap;
  let y = GRID.head + 4;
  const lineY: number[] = [];
  const bands: MemRows['bands'] = [];
  for (let n = 0; n < f.lines; n++) {
    if (f.reachLines !== null && n === f.reachLines) {
      bands.push({ key: 'reach', y, before: n });
      y += GRID.band;
    }
    if (n === f.poolFirst) {
      bands.push({ key: 'pool', y, before: n });
      y += GRID.band;
    }
    if (n === f.tlbFirst) {
      bands.push({ key: 'tlb', y, before: n });
      y += GRID.band;
    }
    lineY.push(y);
    y += groupH;
  }
  return { lineY, bands, height: y, rowsPerLine };
}

/** Text of a region heading in the memory diagram. */
function bandText(state: CoherenceState, key: string): string {
  if (key === 'reach') return `↓ above ${addr(state.params.dmaLimit - 1)}: beyond the device’s DMA mask`;
  if (key === 'pool') return 'coherent pool (dma_alloc_coherent)';
  const tlb = state.swiotlb;
  if (!tlb) return 'swiotlb bounce slots';
  const used = tlb.slots.map((s, i) => (s.orig_addr === null ? null : `${addr(tlb.base + i * tlb.slotSize)} ← ${addr(s.orig_addr)}`)).filter((x) => x !== null);
  return `swiotlb bounce slots: ${used.length ? used.join(', ') : 'all free'}`;
}

/** One row of byte cells (`perRow` boxes of the cell size, 1 unit apart) as path data, from `y`. */
function cellsPath(f: CohFrame, y: number): string {
  const w = r2(f.cell - 1);
  let d = '';
  for (let i = 0; i < f.perRow; i++) d += `M${r2(GRID.cellX0 + i * f.cell)} ${y}h${w}v${GRID.row - 1}h${-w}z`;
  return d;
}

/** Colour class of an owner. */
function ownerCls(o: string): string {
  return o === 'cpu' ? 'coh-own-cpu' : o === 'device' ? 'coh-own-dev' : 'coh-own-both';
}

/** Diagram (a): RAM and the cache, line by line. `prev` is the state before (for the bytes the
 *  step changed), or null. */
export function memoryScene(state: CoherenceState, prev: CoherenceState | null, f: CohFrame): Scene {
  const shapes: Shape[] = [];
  const rows = memRows(f);
  const ls = f.lineSize;
  const ch = changesOf(prev, state);
  const cw = f.cell;
  const cx = (i: number) => r2(GRID.cellX0 + (i % f.perRow) * cw);

  shapes.push({ kind: 'text', key: 'text-h-line', cls: 'coh-colhead', x: GRID.margin + 6, y: 12, text: 'line' });
  for (let i = 0; i < f.perRow; i += 4) shapes.push({ kind: 'text', key: `text-h-${i}`, cls: 'coh-colhead', x: r2(cx(i) + cw / 2), y: 12, text: `+${i.toString(16)}`, anchor: 'middle' });

  for (const b of rows.bands) {
    shapes.push({ kind: 'rect', key: `rect-band-${b.key}`, cls: `coh-band coh-band-${b.key}`, x: GRID.margin, y: b.y + 1, w: COH_W - 2 * GRID.margin, h: GRID.band - 3, rx: 3 });
    shapes.push({ kind: 'text', key: `text-band-${b.key}`, cls: 'coh-bandtext', x: GRID.margin + 6, y: b.y + 11, text: bandText(state, b.key) });
  }

  const spans = ownedSpans(state);
  for (let n = 0; n < f.lines; n++) {
    const y0 = rows.lineY[n];
    const ramH = rows.rowsPerLine * GRID.row;
    const cacheY = y0 + ramH + GRID.gap;
    const base = n * ls;
    const inTlb = f.tlbFirst !== null && n >= f.tlbFirst && n < f.tlbFirst + f.tlbLines;
    shapes.push({ kind: 'text', key: `text-line-${n}`, cls: 'coh-linelabel', x: GRID.margin + 6, y: y0 + 11, text: `${n} ${addr(base)}` });
    // The line's byte cells as one path per row (the same boxes as one rectangle each, in a
    // fraction of the markup: a lesson page server-renders many of these drawings); a byte the
    // step changed gets its own outlined cell on top.
    const ramCls = `coh-cell coh-ram${inTlb ? ' coh-tlb' : ''}`;
    for (let r = 0; r < rows.rowsPerLine; r++) {
      shapes.push({ kind: 'path', key: `path-ram-${n}-${r}`, cls: ramCls, d: cellsPath(f, y0 + r * GRID.row) });
    }
    for (let i = 0; i < ls; i++) {
      const a = base + i;
      const y = y0 + Math.floor(i / f.perRow) * GRID.row;
      if (ch.ram.has(a)) shapes.push({ kind: 'rect', key: `rect-ram-${a}`, cls: `${ramCls} coh-new`, x: cx(i), y, w: cw - 1, h: GRID.row - 1 });
      shapes.push({ kind: 'text', key: `text-ram-${a}`, cls: 'coh-byte', x: r2(cx(i) + (cw - 1) / 2), y: y + 10.5, text: hex2(state.mem.ram[a]), anchor: 'middle' });
    }
    // The bytes of live mappings in this line, underlined in the owner's colour.
    for (const s of spans) {
      const from = Math.max(s.start, base);
      const to = Math.min(s.start + s.len, base + ls);
      if (from >= to) continue;
      for (let r = Math.floor((from - base) / f.perRow); r <= Math.floor((to - 1 - base) / f.perRow); r++) {
        const a0 = Math.max(from, base + r * f.perRow);
        const a1 = Math.min(to, base + (r + 1) * f.perRow);
        shapes.push({
          kind: 'rect',
          key: `rect-span-${s.mapping}-${s.bounce ? 'b' : 'c'}-${n}-${r}`,
          cls: `coh-span ${ownerCls(s.owner)}`,
          x: cx(a0 - base),
          y: y0 + r * GRID.row + GRID.row - 1,
          w: r2((a1 - a0) * cw - 1),
          h: 2.5,
        });
      }
    }
    // The cache slot.
    const slot = slotInfo(state, n);
    const badge = { uncached: 'uncached', invalid: 'invalid', clean: 'V clean', dirty: 'D dirty' }[slot.status];
    const slotChanged = ch.slots.has(n);
    shapes.push({ kind: 'rect', key: `rect-badge-${n}`, cls: `coh-badge coh-badge-${slot.status}${slotChanged ? ' coh-new' : ''}`, x: GRID.margin + 4, y: cacheY, w: GRID.cellX0 - GRID.margin - 8, h: GRID.row - 1, rx: 3 });
    shapes.push({ kind: 'text', key: `text-badge-${n}`, cls: `coh-badgetext coh-badgetext-${slot.status}`, x: r2(GRID.margin + 4 + (GRID.cellX0 - GRID.margin - 8) / 2), y: cacheY + 10.5, text: badge, anchor: 'middle' });
    const line = state.mem.cache[n];
    if (slot.status === 'clean' || slot.status === 'dirty') {
      const cacheCls = `coh-cell coh-cache coh-cache-${slot.status}`;
      for (let r = 0; r < rows.rowsPerLine; r++) {
        shapes.push({ kind: 'path', key: `path-cache-${n}-${r}`, cls: cacheCls, d: cellsPath(f, cacheY + r * GRID.row) });
      }
      for (let i = 0; i < ls; i++) {
        const a = base + i;
        const y = cacheY + Math.floor(i / f.perRow) * GRID.row;
        const differs = slot.differs.includes(i);
        // A byte that differs from RAM or that the step changed: its own marked cell on top.
        if (differs || ch.cache.has(a)) {
          const cls = `${cacheCls}${differs ? ' coh-differs' : ''}${ch.cache.has(a) ? ' coh-new' : ''}`;
          shapes.push({ kind: 'rect', key: `rect-cache-${a}`, cls, x: cx(i), y, w: cw - 1, h: GRID.row - 1 });
        }
        shapes.push({ kind: 'text', key: `text-cache-${a}`, cls: `coh-byte${differs ? ' coh-byte-differs' : ''}`, x: r2(cx(i) + (cw - 1) / 2), y: y + 10.5, text: hex2(line.data[i]), anchor: 'middle' });
      }
    } else {
      const h = rows.rowsPerLine * GRID.row - 1;
      shapes.push({ kind: 'rect', key: `rect-slot-empty-${n}`, cls: `coh-slot-empty coh-slot-${slot.status}`, x: GRID.cellX0, y: cacheY, w: r2(f.perRow * cw - 1), h, rx: 2 });
      const note = slot.status === 'uncached' ? 'mapped uncached: loads and stores go straight to RAM' : 'not in the cache: a load reads RAM';
      shapes.push({ kind: 'text', key: `text-slot-empty-${n}`, cls: 'coh-slotnote', x: r2(GRID.cellX0 + (f.perRow * cw) / 2), y: cacheY + 10.5, text: note, anchor: 'middle' });
    }
  }
  return { width: COH_W, height: rows.height, shapes, desc: memoryDesc(state) };
}

/** The `<desc>` of diagram (a): every line's RAM and cache state in words. */
export function memoryDesc(state: CoherenceState): string {
  const ls = state.mem.lineSize;
  const lines = state.mem.cache.map((_, n) => {
    const s = slotInfo(state, n);
    const cache =
      s.status === 'uncached'
        ? 'mapped uncached'
        : s.status === 'invalid'
          ? 'not cached'
          : `cached ${s.status}${s.differs.length ? `, ${s.differs.length} bytes differ from RAM` : ', same as RAM'}`;
    return `line ${n} (${range(n * ls, ls)}) ${cache}`;
  });
  return `Step ${state.stepIndex}, ${platformInfo(state.params).name}. ${lines.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------
// (c) Ownership tokens

const OWN_ROW = 46;
const ST_W = 96;
const CPU_X = GRID.margin;
const DEV_X = COH_W - GRID.margin - ST_W;
const TOKEN_W = 80;

/** Diagram (c): each mapping's ownership token at the CPU or at the device. */
export function ownerScene(state: CoherenceState, prev: CoherenceState | null, f: CohFrame): Scene {
  const shapes: Shape[] = [];
  const top = 6;
  const maps = state.mappings;
  maps.forEach((m, k) => {
    const y = top + k * OWN_ROW;
    const before = prev?.mappings.find((x) => x.id === m.id);
    const moved = !before || before.owner !== m.owner || before.unmapped !== m.unmapped;
    shapes.push({ kind: 'text', key: `text-map-${m.id}`, cls: `coh-maplabel${m.unmapped ? ' coh-off' : ''}`, x: GRID.margin, y: y + 11, text: `${mappingLabel(m)}${m.bounce ? ` → slot ${addr(m.handle)}` : ''}` });
    const ty = y + 17;
    shapes.push({ kind: 'rect', key: `rect-track-${m.id}`, cls: 'coh-track', x: CPU_X, y: ty + 10, w: DEV_X + ST_W - CPU_X, h: 2 });
    shapes.push({ kind: 'rect', key: `rect-st-cpu-${m.id}`, cls: 'coh-station coh-station-cpu', x: CPU_X, y: ty, w: ST_W, h: 22, rx: 4 });
    shapes.push({ kind: 'rect', key: `rect-st-dev-${m.id}`, cls: 'coh-station coh-station-dev', x: DEV_X, y: ty, w: ST_W, h: 22, rx: 4 });
    shapes.push({ kind: 'text', key: `text-st-cpu-${m.id}`, cls: 'coh-sttext', x: CPU_X + ST_W / 2, y: ty + 15, text: 'CPU', anchor: 'middle' });
    shapes.push({ kind: 'text', key: `text-st-dev-${m.id}`, cls: 'coh-sttext', x: DEV_X + ST_W / 2, y: ty + 15, text: 'device', anchor: 'middle' });
    const both = !m.unmapped && m.owner === 'both';
    const atDev = !m.unmapped && m.owner === 'device';
    const x = both ? CPU_X + 4 : atDev ? DEV_X + (ST_W - TOKEN_W) / 2 : CPU_X + (ST_W - TOKEN_W) / 2;
    const w = both ? DEV_X + ST_W - CPU_X - 8 : TOKEN_W;
    const cls = `coh-token ${m.unmapped ? 'coh-token-off' : ownerCls(m.owner)}${moved && prev ? ' coh-new' : ''}`;
    shapes.push({ kind: 'rect', key: `rect-token-${m.id}`, cls, x: r2(x), y: ty + 3, w: r2(w), h: 16, rx: 8 });
    const label = m.unmapped ? (m.type === 'coherent' ? 'freed' : 'unmapped') : both ? 'owned by both' : atDev ? 'device owns' : 'CPU owns';
    shapes.push({ kind: 'text', key: `text-token-${m.id}`, cls: `coh-tokentext${m.unmapped ? ' coh-off' : ''}`, x: r2(x + w / 2), y: ty + 14.5, text: label, anchor: 'middle' });
  });
  if (maps.length === 0) {
    shapes.push({ kind: 'text', key: 'text-nomap', cls: 'coh-note', x: COH_W / 2, y: top + 24, text: 'No DMA mapping yet: the buffer is plain CPU memory.', anchor: 'middle' });
  }
  return { width: COH_W, height: top + f.maxMappings * OWN_ROW + 2, shapes, desc: ownerDesc(state) };
}

/** The `<desc>` of diagram (c). */
export function ownerDesc(state: CoherenceState): string {
  if (state.mappings.length === 0) return `Step ${state.stepIndex}. No DMA mapping yet.`;
  return `Step ${state.stepIndex}. ${state.mappings.map((m) => `${mappingLabel(m)}: ${tokenWords(m)}`).join('; ')}.`;
}

// ---------------------------------------------------------------------------------------
// (d) The device's transfers and what the CPU read

const ITEM_HEAD = 16;

/** Height of one data item: its heading and its byte rows (two rows when compared). */
function itemHeight(kind: 'read' | 'send' | 'write', len: number, perRow: number): number {
  const rows = Math.max(1, Math.ceil(len / perRow));
  return ITEM_HEAD + (kind === 'write' ? rows : 2 * rows) * GRID.row + 8;
}

/** Draws `bytes` as cells in rows of `perRow` from `y`; `bad` offsets get the mismatch class;
 *  `len` cells are drawn (missing bytes as empty cells). Returns the y after the rows. */
function byteRows(shapes: Shape[], key: string, label: string, bytes: readonly number[], len: number, bad: ReadonlySet<number>, y: number, f: CohFrame, cls: string, gap = 0): number {
  const per = Math.min(16, f.perRow);
  const cw = f.cell;
  const rows = Math.max(1, Math.ceil(len / per));
  for (let r = 0; r < rows; r++) {
    shapes.push({ kind: 'text', key: `text-${key}-label-${r}`, cls: 'coh-rowlabel', x: GRID.margin + 2, y: y + r * (GRID.row * (gap + 1)) + 10.5, text: label });
  }
  for (let i = 0; i < len; i++) {
    const r = Math.floor(i / per);
    const x = r2(GRID.cellX0 + (i % per) * cw);
    const yy = y + r * (GRID.row * (gap + 1));
    const has = i < bytes.length;
    shapes.push({ kind: 'rect', key: `rect-${key}-${i}`, cls: `coh-cell ${cls}${has ? '' : ' coh-pending'}${has && bad.has(i) ? ' coh-bad' : ''}`, x, y: yy, w: cw - 1, h: GRID.row - 1 });
    if (has) shapes.push({ kind: 'text', key: `text-${key}-${i}`, cls: `coh-byte${bad.has(i) ? ' coh-byte-bad' : ''}`, x: r2(x + (cw - 1) / 2), y: yy + 10.5, text: hex2(bytes[i]), anchor: 'middle' });
  }
  return y + rows * GRID.row * (gap + 1);
}

/** Diagram (d): the device's transfers and the CPU's reads, each against the ideal machine. */
export function dataScene(state: CoherenceState, f: CohFrame): Scene {
  const shapes: Shape[] = [];
  const transfers: { t: DeviceTransfer; inFlight: boolean }[] = state.device.transfers.map((t) => ({ t, inFlight: false }));
  if (state.device.op) transfers.push({ t: state.device.op, inFlight: true });
  const reads = state.cpu.reads;
  // Items in program order (a transfer by the pc of its start_device, a read by its pc).
  const items = [...transfers.map((x) => ({ pc: x.t.pc, tr: x, rd: null })), ...reads.map((r) => ({ pc: r.pc, tr: null, rd: r }))].sort((a, b) => a.pc - b.pc);
  let y = 4;
  items.forEach((it, k) => {
    if (it.tr) {
      const { t, inFlight } = it.tr;
      shapes.push({ kind: 'text', key: `text-item-${k}`, cls: 'coh-itemhead', x: GRID.margin, y: y + 11, text: `${transferWords(t, inFlight)}.`.replace(/^The device/, 'Device:') });
      const yb = y + ITEM_HEAD;
      if (t.dma === 'write') {
        // The bytes the device will write, those done so far solid.
        const done = t.data.slice(0, t.done);
        byteRows(shapes, `w${k}`, 'wrote', done, t.len, new Set(), yb, f, 'coh-devbytes');
      } else {
        const ideal = t.ideal.slice(0, t.data.length);
        const bad = new Set(diffIndices(t.data, ideal));
        byteRows(shapes, `s${k}`, 'sent', t.data, t.len, bad, yb, f, 'coh-devbytes', 1);
        byteRows(shapes, `i${k}`, 'buffer', ideal, t.len, new Set(), yb + GRID.row, f, 'coh-ideal', 1);
      }
      y += itemHeight(t.dma === 'write' ? 'write' : 'send', t.len, f.perRow);
    } else if (it.rd) {
      const r = it.rd;
      const bad = new Set(diffIndices(r.bytes, r.ideal));
      const verdict = bad.size ? 'STALE' : 'right';
      shapes.push({ kind: 'text', key: `text-item-${k}`, cls: `coh-itemhead${bad.size ? ' coh-itemhead-bad' : ''}`, x: GRID.margin, y: y + 11, text: `CPU read ${range(r.addr, r.bytes.length)}: ${verdict}` });
      const yb = y + ITEM_HEAD;
      byteRows(shapes, `g${k}`, 'got', r.bytes, r.bytes.length, bad, yb, f, 'coh-got', 1);
      byteRows(shapes, `n${k}`, 'no cache', r.ideal, r.ideal.length, new Set(), yb + GRID.row, f, 'coh-ideal', 1);
      y += itemHeight('read', r.bytes.length, f.perRow);
    }
  });
  if (items.length === 0) shapes.push({ kind: 'text', key: 'text-noitems', cls: 'coh-note', x: COH_W / 2, y: 20, text: 'The device has not moved a byte, and the CPU has read nothing yet.', anchor: 'middle' });
  const height = 4 + Math.max(28, f.items.reduce((h, it) => h + itemHeight(it.kind, it.len, f.perRow), 0));
  return { width: COH_W, height, shapes, desc: dataDesc(state) };
}

/** The `<desc>` of diagram (d). */
export function dataDesc(state: CoherenceState): string {
  const parts: string[] = [];
  for (const t of state.device.transfers) parts.push(`${transferWords(t, false)}${t.dma === 'read' && diffIndices(t.data, t.ideal).length ? ', old bytes' : ''}`);
  if (state.device.op) parts.push(transferWords(state.device.op, true));
  for (const r of state.cpu.reads) {
    const bad = diffIndices(r.bytes, r.ideal).length > 0;
    parts.push(`CPU read ${range(r.addr, r.bytes.length)}: got ${r.bytes.map(hex2).join(' ')}${bad ? `, stale: a machine without caches would read ${r.ideal.map(hex2).join(' ')}` : ', right'}`);
  }
  return `Step ${state.stepIndex}. ${parts.length ? `${parts.join('. ')}.` : 'No transfer and no read yet.'}`;
}
