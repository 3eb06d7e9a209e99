/**
 * Geometry of the memory simulation's diagrams, computed from a state with no DOM: where
 * each process page, frame, zone band, PTE link, DMA arrow and migration arc goes for a
 * given width (`memoryLayout`), and the rows of the address-translation view
 * (`walkLayout`). The d3 views (`views.ts`) only bind these to SVG elements;
 * `layout.test.ts` checks them.
 */
import { hex } from '../../../sims/mm/index.ts';
import type { Frame, MmState } from '../../../sims/mm/index.ts';
import { contentsMarker, dmaTargets, pageMoves, pageRows, type AddressField, type DmaTarget, type PageMove, type PageRow } from './format.ts';

/** A point in SVG user units. */
export interface Pt {
  x: number;
  y: number;
}

/** A process page box. */
export interface PageBox extends PageRow {
  /** Stable key for d3 joins: `pid:va`. */
  key: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Short label inside the box: the page index in its VMA. */
  label: string;
}

/** A frame box. */
export interface FrameBox {
  pfn: number;
  x: number;
  y: number;
  w: number;
  h: number;
  zone: Frame['zone'];
  use: Frame['use'];
  /** Contents marker (`P0`, `DMA1`, `zero`, `data.bin#0`, `—`). */
  marker: string;
  /** A free frame still holding old data (dimmed). */
  stale: boolean;
  refcount: number;
  pincount: number;
  dirty: boolean;
  /** Mapped by a page of the user buffer. */
  buffer: boolean;
  /** The device wrote here after the page had gone (freed, elsewhere, zero page). */
  lost: boolean;
  /** A DMA target not yet written. */
  target: boolean;
}

/** A PTE: a line from a page box to the frame it maps. */
export interface LinkLine {
  key: string;
  from: Pt;
  to: Pt;
  buffer: boolean;
  writable: boolean;
  /** Maps the zero page. */
  zero: boolean;
}

/** A zone band under a run of frames. */
export interface ZoneBand {
  key: string;
  zone: Frame['zone'];
  x: number;
  y: number;
  w: number;
  label: string;
}

/** An arrow from the DMA device to a frame. */
export interface DmaArrow extends DmaTarget {
  key: string;
  from: Pt;
  to: Pt;
}

/** A page moved in the last step: an arc from its old frame to its new one. */
export interface MoveArc {
  key: string;
  move: PageMove;
  from: Pt;
  to: Pt;
}

/** Text labels (process names, VMA names). */
export interface Label {
  key: string;
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

/** Everything the memory view draws. */
export interface MemLayout {
  width: number;
  height: number;
  pages: PageBox[];
  labels: Label[];
  frames: FrameBox[];
  zones: ZoneBand[];
  links: LinkLine[];
  /** The device box, or null when the run has no driver. */
  device: { x: number; y: number; w: number; h: number } | null;
  dma: DmaArrow[];
  moves: MoveArc[];
  /** Frames per row (16 on a wide screen, 8 on a phone for 16 frames). */
  cols: number;
}

/** The memory drawing's grid, in SVG user units. */
const GRID = {
  /** Outer margin. */
  margin: 8,
  /** Width of the process labels on the left. */
  labelW: 30,
  /** Height of a virtual page. */
  pageH: 30,
  /** Space between two VMAs of a process. */
  vmaGap: 10,
  /** Space between two pages of a VMA. */
  pageGap: 3,
  /** Room between the pages and the frames for the mapping lines. */
  linkGap: 64,
  /** Space between two physical frames. */
  frameGap: 4,
  /** Height of a physical frame. */
  frameH: 72,
  /** Height of the zone band under a row of frames. */
  zoneH: 16,
  /** Narrowest frame before the frames wrap to more rows. */
  minFrameW: 32,
  /** Widest frame. */
  maxFrameW: 72,
} as const;
const PAGE_ROW = GRID.pageH + 22;
const FRAME_ROW = GRID.frameH + GRID.zoneH + 14;

/** Frames per row for `frames` frames in `width` units: all in one row when they fit at least 32 wide, else halves, thirds… */
export function frameColumns(frames: number, width: number): number {
  const avail = width - 2 * GRID.margin;
  for (let rows = 1; rows <= frames; rows++) {
    const cols = Math.ceil(frames / rows);
    if (cols * GRID.minFrameW + (cols - 1) * GRID.frameGap <= avail) return cols;
  }
  return 1;
}

/**
 * Lays out the memory view of `state` at `width` (SVG units = CSS pixels): one row of page
 * boxes per live process (grouped by VMA), the frames below in rows with their zone bands,
 * a line per present PTE from page to frame, the DMA device under the frames with an arrow
 * to each target frame, and an arc for each page the step from `prev` moved. `procRows`
 * reserves that many rows of pages (the most live processes in the timeline).
 */
export function memoryLayout(state: MmState, prev: MmState | null, width: number, procRows = 0): MemLayout {
  const W = Math.max(300, Math.round(width));
  const rows = pageRows(state);
  const procs = [...new Set(rows.map((r) => r.pid))];
  const pages: PageBox[] = [];
  const labels: Label[] = [];
  let y = GRID.margin + 12;
  for (const pid of procs) {
    const mine = rows.filter((r) => r.pid === pid);
    const vmas = [...new Set(mine.map((r) => r.vma))];
    const avail = W - 2 * GRID.margin - GRID.labelW;
    const pw = Math.max(14, Math.min(60, (avail - (vmas.length - 1) * GRID.vmaGap - (mine.length - vmas.length) * GRID.pageGap) / Math.max(1, mine.length)));
    let x = GRID.margin + GRID.labelW;
    labels.push({ key: `p${pid}`, x: GRID.margin, y: y + GRID.pageH / 2 + 4, text: `P${pid}`, anchor: 'start' });
    vmas.forEach((name, vi) => {
      if (vi > 0) x += GRID.vmaGap - GRID.pageGap;
      const vr = mine.filter((r) => r.vma === name);
      // The VMA's name and start, or just the name when the pages are too narrow for both.
      const room = vr.length * (pw + GRID.pageGap) + GRID.vmaGap;
      const full = `${name} ${hex(vr[0].va)}`;
      labels.push({ key: `v${pid}:${name}`, x, y: y - 4, text: full.length * 6 <= room ? full : name, anchor: 'start' });
      for (const r of vr) {
        pages.push({ ...r, key: `${r.pid}:${r.va}`, x, y, w: pw, h: GRID.pageH, label: String(r.page) });
        x += pw + GRID.pageGap;
      }
    });
    y += PAGE_ROW;
  }
  // Reserve rows for processes that come later (fork), so the frames do not jump.
  const shownRows = Math.max(procs.length, procRows);
  y += (shownRows - procs.length) * PAGE_ROW;
  const framesTop = (shownRows ? y - PAGE_ROW + GRID.pageH : y) + GRID.linkGap;

  const n = state.frames.length;
  const cols = frameColumns(n, W);
  const fw = Math.min(GRID.maxFrameW, (W - 2 * GRID.margin - (cols - 1) * GRID.frameGap) / cols);
  const bufferPfns = new Set(rows.filter((r) => r.buffer && r.pfn !== null).map((r) => r.pfn as number));
  const targets = dmaTargets(state);
  const lostPfns = new Set(targets.filter((t) => t.status === 'freed' || t.status === 'elsewhere' || t.status === 'zero-page').map((t) => t.pfn));
  const pendingPfns = new Set(targets.filter((t) => t.status === 'pending').map((t) => t.pfn));
  const frames: FrameBox[] = state.frames.map((f, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    return {
      pfn: f.pfn,
      x: GRID.margin + c * (fw + GRID.frameGap),
      y: framesTop + r * FRAME_ROW,
      w: fw,
      h: GRID.frameH,
      zone: f.zone,
      use: f.use,
      marker: contentsMarker(f),
      stale: f.use === 'free' && f.data !== '',
      refcount: f.refcount,
      pincount: f.pincount,
      dirty: f.dirty,
      buffer: bufferPfns.has(f.pfn),
      lost: lostPfns.has(f.pfn),
      target: pendingPfns.has(f.pfn),
    };
  });
  const frameRows = Math.ceil(n / cols);

  // Zone bands: one per run of same-zone frames within a row.
  const zones: ZoneBand[] = [];
  for (let r = 0; r < frameRows; r++) {
    const row = frames.slice(r * cols, (r + 1) * cols);
    let start = 0;
    for (let i = 1; i <= row.length; i++) {
      if (i === row.length || row[i].zone !== row[start].zone) {
        const a = row[start];
        const b = row[i - 1];
        const w = b.x + b.w - a.x;
        zones.push({ key: `z${r}:${a.pfn}`, zone: a.zone, x: a.x, y: a.y + GRID.frameH + 3, w, label: w >= 96 ? (a.zone === 'movable' ? 'ZONE_MOVABLE' : 'ZONE_NORMAL') : a.zone === 'movable' ? 'MOVABLE' : 'NORMAL' });
        start = i;
      }
    }
  }

  const byPfn = (pfn: number) => frames[pfn];
  const links: LinkLine[] = pages
    .filter((p) => p.pfn !== null)
    .map((p) => {
      const f = byPfn(p.pfn as number);
      return {
        key: p.key,
        from: { x: p.x + p.w / 2, y: p.y + p.h },
        to: { x: f.x + f.w / 2, y: f.y },
        buffer: p.buffer,
        writable: p.writable,
        zero: p.pfn === state.zeroPfn,
      };
    });

  let height = framesTop + frameRows * FRAME_ROW;
  let device: MemLayout['device'] = null;
  let dma: DmaArrow[] = [];
  if (state.params.driver.length > 0) {
    device = { x: GRID.margin, y: height + 8, w: Math.min(150, W - 2 * GRID.margin), h: 28 };
    height = device.y + device.h + GRID.margin;
    const d = device;
    dma = targets.map((t) => {
      const f = byPfn(t.pfn);
      return { ...t, key: `d${t.index}:${t.pfn}`, from: { x: d.x + d.w, y: d.y + d.h / 2 }, to: { x: f.x + f.w / 2, y: f.y + f.h } };
    });
  } else {
    height += GRID.margin;
  }

  const moves: MoveArc[] = pageMoves(prev, state).map((m) => {
    const a = byPfn(m.from);
    const b = byPfn(m.to);
    return { move: m, key: `m${m.pid}:${m.va}`, from: { x: a.x + a.w / 2, y: a.y }, to: { x: b.x + b.w / 2, y: b.y } };
  });

  return { width: W, height: Math.ceil(height), pages, labels, frames, zones, links, device, dma, moves, cols };
}

/** How far a move arc bulges above its ends: a third of the distance, within 24..50 units (the gap above the frames). */
export function arcLift(from: Pt, to: Pt): number {
  return Math.min(50, Math.max(24, Math.abs(to.x - from.x) / 3));
}

/**
 * The curve of a move arc: a quadratic Bézier bulging upward (into the gap above the
 * frames) by `arcLift`. An SVG path `d`.
 */
export function arcPath(from: Pt, to: Pt): string {
  const lift = arcLift(from, to);
  const cx = (from.x + to.x) / 2;
  const cy = Math.min(from.y, to.y) - lift;
  return `M${r1(from.x)},${r1(from.y)} Q${r1(cx)},${r1(cy)} ${r1(to.x)},${r1(to.y)}`;
}

function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

// ---------------------------------------------------------------------------------------
// The translation view.

/** One row of the translation view (a level, the offset, or the result). */
export interface WalkRow {
  key: string;
  y: number;
}

/** Where the translation view puts things at a given width. */
export interface WalkLayout {
  width: number;
  height: number;
  /** Wide: the whole 48-bit address is drawn as one line of bit cells on top. */
  wide: boolean;
  /** Top line: the address in hex (and the bits when wide). */
  headY: number;
  /** x of each of the 48 bit cells of the top line (bit 47 first), and the cell width; empty when narrow. */
  bitX: number[];
  bitW: number;
  /** One row per field (PGD, PUD, PMD, PTE, offset), then the physical address. */
  rows: WalkRow[];
  rowH: number;
  /** Column x positions inside a row: tag, bit cells, value, entry text. */
  tagX: number;
  bitsX: number;
  cellW: number;
  valueX: number;
  entryX: number;
}

/**
 * Lays out the translation view at `width`: on a wide view (≥ 560 units) the whole address
 * as 48 bit cells grouped 9/9/9/9/12 on top, and under it a row per field with that field's
 * bits, its value and the entry it selects; on a narrow one only the rows, with smaller cells.
 */
export function walkLayout(width: number): WalkLayout {
  const W = Math.max(300, Math.round(width));
  const wide = W >= 560;
  const headY = GRID.margin + 14;
  const bitX: number[] = [];
  let bitW = 0;
  let top = headY + 10;
  if (wide) {
    const gap = 8;
    bitW = Math.min(13, (W - 2 * GRID.margin - 4 * gap) / 48);
    let x = GRID.margin;
    for (let b = 47; b >= 0; b--) {
      bitX.push(x);
      x += bitW;
      if (b === 39 || b === 30 || b === 21 || b === 12) x += gap;
    }
    top = headY + 12 + 22;
  }
  const rowH = 30;
  const rows: WalkRow[] = ['pgd', 'pud', 'pmd', 'pte', 'offset', 'phys'].map((key, i) => ({ key, y: top + i * rowH }));
  const tagX = GRID.margin;
  const bitsX = GRID.margin + (wide ? 92 : 44);
  const cellW = wide ? 11 : Math.max(6.5, Math.min(9, (W - 2 * GRID.margin - 44 - 140) / 12));
  const valueX = bitsX + 12 * cellW + 8;
  const entryX = valueX + (wide ? 60 : 42);
  return { width: W, height: Math.ceil(top + rows.length * rowH + 4), wide, headY, bitX, bitW, rows, rowH, tagX, bitsX, cellW, valueX, entryX };
}

/** The field each of the 48 bits (bit 47 first) belongs to. */
export function bitFields(fields: readonly AddressField[]): AddressField['field'][] {
  const out: AddressField['field'][] = [];
  for (let b = 47; b >= 0; b--) out.push((fields.find((f) => b <= f.hi && b >= f.lo) as AddressField).field);
  return out;
}

// ---------------------------------------------------------------------------------------
// Room to reserve before the diagrams load.

/**
 * Widths (CSS px) the reservation assumes: on a desktop the drawing's column of the stage
 * (3/5 of the 766 px lesson column, the driver's calls and the form beside it:
 * components/player/player.css), and a 360 px phone.
 */
export const RESERVE_WIDTHS = { wide: 448, narrow: 300 } as const;

/** The most processes alive at once in a timeline (rows of pages the memory view reserves). */
export function maxProcRows(states: readonly MmState[]): number {
  let n = 1;
  for (const s of states) n = Math.max(n, s.procs.filter((p) => p.pgtables.length > 0).length);
  return n;
}

/** Heights (CSS px) of one drawing's box on a desktop (`wide`) and on a phone (`narrow`). */
export interface ReservedHeight {
  wide: number;
  narrow: number;
}

/**
 * The heights (CSS px) the two drawings' boxes will take at the desktop and phone widths,
 * for the server render to reserve, so that drawing them on upgrade does not move the page.
 * Uses the first state: the layouts' heights depend only on the rows of processes
 * (`maxProcRows`), the frame count and whether there is a driver. A phone's drawing is
 * `PHONE_ZOOM` times larger, with a horizontal scroll bar under it.
 */
export function reservedHeights(states: readonly MmState[]): { walk: ReservedHeight; memory: ReservedHeight } {
  const rows = maxProcRows(states);
  const both = (h: (w: number) => number): ReservedHeight => ({ wide: h(RESERVE_WIDTHS.wide), narrow: Math.ceil(h(RESERVE_WIDTHS.narrow) * PHONE_ZOOM) + SCROLLBAR });
  return { walk: both((w) => walkLayout(w).height), memory: both((w) => memoryLayout(states[0], null, w, rows).height) };
}

/**
 * On a phone the drawings are laid out at their box's width and drawn this much larger, so
 * the smallest (9-unit) text is at least 11 px; the box scrolls sideways (MmSim.astro's CSS).
 */
export const PHONE_ZOOM = 1.25;
/** Room for a horizontal scroll bar under each zoomed drawing, in CSS px. */
const SCROLLBAR = 16;
