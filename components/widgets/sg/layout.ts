/**
 * Layout of the scatter-gather / IOMMU diagrams, with no DOM: each function turns one state of
 * `sims/dma` into a `Scene`, a flat list of keyed rectangles, paths and texts in SVG user units.
 *
 * - `pagesScene`: the user buffer's pages (buffer order) above the physical frames (pfn order,
 *   physically consecutive frames touching), a line from each page to its frame, the current
 *   table's sg entries as coloured bars under the frames they cover, and the bytes the device
 *   has written so far.
 * - `iommuScene`: IOVA granules on the left, physical frames on the right, one line per mapped
 *   granule (`iommuGranules`), and the DMA segments as brackets beside the IOVA column (they
 *   grow as `__finalise_sg` merges entries). Without an IOMMU: each mapped entry's bus address
 *   level with its frames, because bus address = physical address.
 * - `deviceScene`: the driver's loop (the buffer cut into commands, bytes transferred) and the
 *   device's descriptor list (address, length, done).
 *
 * The same scene is drawn twice: on the server as a string (`sceneToSvg`, so the widget shows
 * the initial state before any JavaScript) and in the browser by `views/sg-diagrams.ts`, which
 * joins shapes by `key` and tweens them from step to step. A scene's size depends only on the
 * run (`sgFrame`), never on the step, so stepping never moves the page.
 */
import { linkHorizontal, linkVertical } from 'd3-shape';
import { iommuGranules } from '../../../sims/dma/index.ts';
import type { DmaState } from '../../../sims/dma/index.ts';
import {
  bytesText,
  chunkText,
  commandBytesDone,
  currentChunk,
  deviceWords,
  entryColor,
  entryDmaStatus,
  entryLabel,
  frameOwner,
  frameRuns,
  hex,
  pageSpan,
  runFrames,
  staleFrames,
} from './format.ts';
import { SCENE_W, type Scene, type Shape } from '../../scene/scene.ts';

/** Facts about a whole run that fix the diagrams' sizes (computed once per timeline). */
export interface SgFrame {
  /** Frames drawn, in pfn order (`runFrames`). */
  frames: number[];
  /** Most IOVA granules allocated at once (0 without an IOMMU). */
  maxGranules: number;
  /** Most descriptors in one command (posted or about to be). */
  maxDescs: number;
}

const M = 8;

/** The sizes a run needs: its frames, largest IOVA allocation and longest descriptor list. */
export function sgFrame(states: readonly DmaState[]): SgFrame {
  let maxGranules = 0;
  let maxDescs = 0;
  for (const s of states) {
    const g = s.iommu.granule;
    if (s.iommu.enabled) for (const a of s.iommu.allocations) maxGranules = Math.max(maxGranules, Math.ceil(a.size / g));
    if (s.driver.iova) maxGranules = Math.max(maxGranules, Math.ceil(s.driver.iova.size / g));
    maxDescs = Math.max(maxDescs, s.device.descriptors.length, s.driver.pending.length);
  }
  return { frames: runFrames(states), maxGranules, maxDescs };
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

/** `1a3`: a pfn as drawn inside a narrow frame box. */
function shortPfn(pfn: number): string {
  return pfn.toString(16);
}

// ---------------------------------------------------------------------------------------
// Frames in a row (diagram A) or a column (diagram B)

/** Where each frame sits along one axis: physically consecutive frames touch, runs are apart. */
export interface FramePlacement {
  /** Start (x or y) of each frame, by pfn. */
  pos: Map<number, number>;
  /** Size of one frame along the axis. */
  size: number;
  /** Total length used. */
  length: number;
}

/** Places `frames` (sorted pfns) along `length` units: each frame `size` long (at most
 *  `maxSize`), consecutive pfns touching, `gap` between runs. */
export function placeFrames(frames: readonly number[], length: number, gap: number, maxSize: number): FramePlacement {
  const runs = frameRuns(frames);
  const n = frames.length;
  const size = n === 0 ? maxSize : Math.min(maxSize, (length - Math.max(0, runs.length - 1) * gap) / n);
  const pos = new Map<number, number>();
  let at = 0;
  runs.forEach((run, r) => {
    if (r > 0) at += gap;
    for (const p of run) {
      pos.set(p, at);
      at += size;
    }
  });
  return { pos, size, length: at };
}

/** The position of physical byte `phys` along a frame placement (start edge of its frame plus
 *  the fraction of the page); `end` treats a page-aligned address as the end of the frame
 *  before. Null when the frame is not drawn. */
export function physPos(pl: FramePlacement, phys: number, pageSize: number, end = false): number | null {
  let pfn = Math.floor(phys / pageSize);
  let off = phys - pfn * pageSize;
  if (end && off === 0 && phys > 0) {
    pfn -= 1;
    off = pageSize;
  }
  const at = pl.pos.get(pfn);
  return at === undefined ? null : at + (off / pageSize) * pl.size;
}

// ---------------------------------------------------------------------------------------
// Diagram A: pages -> frames, sg entries

const vlink = linkVertical<{ source: [number, number]; target: [number, number] }, [number, number]>();
const hlink = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** Index of the sg entry of the current table covering frame `pfn`, or -1. */
function entryOfFrame(state: DmaState, pfn: number): number {
  const sgl = state.sgt?.sgl ?? [];
  return sgl.findIndex((e) => pfn >= e.pfn && pfn < e.pfn + e.npages);
}

/** Diagram A for `state`: buffer pages, frames, page-to-frame lines, sg entry bars, written bytes. */
export function pagesScene(state: DmaState, frame: SgFrame): Scene {
  const p = state.params;
  const ps = p.pageSize;
  const pfns = p.buffer.pfns;
  const n = pfns.length;
  const shapes: Shape[] = [];
  const chunk = currentChunk(state);
  const inner = SCENE_W - 2 * M;

  // Rows.
  const pageY = 22;
  const pageH = 30;
  const frameY = 112;
  const frameH = 30;
  const barY = frameY + frameH + 8;
  const labelY = barY + 20;
  const height = labelY + 8;


  // Pages.
  const pgap = 4;
  const pw = Math.min(56, (inner - (n - 1) * pgap) / n);
  const px0 = M + (inner - (n * pw + (n - 1) * pgap)) / 2;
  const pageX = (i: number) => px0 + i * (pw + pgap);

  // Frames.
  const pl = placeFrames(frame.frames, inner, 10, 56);
  const fx0 = M + (inner - pl.length) / 2;
  const frameX = (pfn: number) => fx0 + (pl.pos.get(pfn) ?? 0);

  const transferredEnd = state.driver.transferred + (chunk && state.device.descriptors.length ? commandBytesDone(state) : 0);
  pfns.forEach((pfn, i) => {
    const inChunk = chunk !== null && i >= chunk.firstPage && i <= chunk.lastPage;
    const entry = inChunk ? entryOfFrame(state, pfn) : -1;
    const x = pageX(i);
    shapes.push({ kind: 'rect', key: `rect-page-${i}`, cls: `sg-page${inChunk ? ' sg-cur' : ''}`, x: r2(x), y: pageY, w: r2(pw), h: pageH, rx: 3 });
    const span = pageSpan(p, i);
    const bx = x + (span.from / ps) * pw;
    const bw = ((span.to - span.from) / ps) * pw;
    shapes.push({
      kind: 'rect',
      key: `rect-pagebytes-${i}`,
      cls: `sg-pagebytes${entry >= 0 ? ' sg-entry-fill' : ''}`,
      color: entry >= 0 ? entryColor(entry) : undefined,
      entry: entry >= 0 ? entry : undefined,
      x: r2(bx),
      y: pageY + pageH - 8,
      w: r2(Math.max(1, bw)),
      h: 6,
    });
    // Bytes of this page already transferred by completed commands or done descriptors of
    // this one (the buffer is moved in order).
    const done = Math.max(0, Math.min(span.bufferStart + (span.to - span.from), transferredEnd) - span.bufferStart);
    shapes.push({ kind: 'rect', key: `rect-pagedone-${i}`, cls: 'sg-pagedone', x: r2(bx), y: pageY + pageH - 8, w: r2((done / ps) * pw), h: 6 });
    shapes.push({ kind: 'text', key: `text-page-${i}`, cls: 'sg-pagelabel', x: r2(x + pw / 2), y: pageY + 13, text: pw >= 24 ? `p${i}` : String(i), anchor: 'middle' });
    const link = vlink({ source: [x + pw / 2, pageY + pageH], target: [frameX(pfn) + pl.size / 2, frameY] }) ?? '';
    shapes.push({
      kind: 'path',
      key: `path-pagelink-${i}`,
      cls: `sg-link${inChunk ? ' sg-cur' : ''}${entry >= 0 ? ' sg-entry-stroke' : ''}`,
      color: entry >= 0 ? entryColor(entry) : undefined,
      entry: entry >= 0 ? entry : undefined,
      d: link,
    });
  });

  const stale = staleFrames(state);
  for (const pfn of frame.frames) {
    const x = frameX(pfn);
    const owner = frameOwner(state, pfn);
    const inBuffer = pfns.includes(pfn);
    shapes.push({
      kind: 'rect',
      key: `rect-frame-${pfn}`,
      cls: `sg-frame${owner === 'device' ? ' sg-dev' : ''}${inBuffer ? '' : ' sg-other'}${stale.has(pfn) ? ' sg-stale' : ''}`,
      x: r2(x),
      y: frameY,
      w: r2(pl.size),
      h: frameH,
    });
    shapes.push({ kind: 'text', key: `text-frame-${pfn}`, cls: 'sg-framelabel', x: r2(x + pl.size / 2), y: frameY + 13, text: shortPfn(pfn), anchor: 'middle' });
  }

  // What the device wrote (or read), every command so far.
  for (const a of state.device.accesses) {
    a.phys.forEach((piece, k) => {
      const x0 = physPos(pl, piece.phys, ps);
      const x1 = physPos(pl, piece.phys + piece.len, ps, true);
      if (x0 === null || x1 === null) return;
      shapes.push({
        kind: 'rect',
        key: `rect-written-${a.command}-${a.desc}-${k}`,
        cls: a.write ? 'sg-written' : 'sg-read',
        x: r2(fx0 + x0),
        y: frameY + frameH - 10,
        w: r2(Math.max(1, x1 - x0)),
        h: 8,
      });
    });
  }

  // The sg entries of the current table, under the frames they cover.
  const sgl = state.sgt?.sgl ?? [];
  sgl.forEach((e, i) => {
    const start = e.pfn * ps + e.offset;
    const x0 = physPos(pl, start, ps);
    const x1 = physPos(pl, start + e.length, ps, true);
    if (x0 === null || x1 === null) return;
    const w = Math.max(2, x1 - x0);
    shapes.push({
      kind: 'rect',
      key: `rect-entry-${i}`,
      cls: 'sg-entrybar sg-entry-fill',
      color: entryColor(i),
      entry: i,
      x: r2(fx0 + x0),
      y: barY,
      w: r2(w),
      h: 6,
      rx: 2,
    });
    shapes.push({
      kind: 'text',
      key: `text-entry-${i}`,
      cls: 'sg-entrylabel',
      color: entryColor(i),
      entry: i,
      x: r2(fx0 + x0 + w / 2),
      y: labelY,
      text: w >= 32 ? entryLabel(i) : `[${i}]`,
      anchor: 'middle',
    });
  });

  // Row labels last, so they paint over the lines (with a halo from the stylesheet).
  shapes.push({ kind: 'text', key: 'text-pages-label', cls: 'sg-rowlabel', x: M, y: 13, text: 'user buffer: pages in buffer order' });
  shapes.push({ kind: 'text', key: 'text-frames-label', cls: 'sg-rowlabel', x: M, y: frameY - 8, text: 'physical frames, pfn in hex (touching = consecutive)' });
  return { width: SCENE_W, height, shapes, desc: pagesDesc(state) };
}

/** The `<desc>` of diagram A. */
export function pagesDesc(state: DmaState): string {
  const p = state.params;
  const pages = p.buffer.pfns.map((pfn, i) => `page ${i} in pfn ${hex(pfn)}`).join(', ');
  const sgl = state.sgt?.sgl ?? [];
  const entries = sgl.length
    ? `The scatterlist has ${sgl.length === 1 ? '1 entry' : `${sgl.length} entries`}: ${sgl
        .map((e, i) => `${entryLabel(i)} ${e.length} bytes from pfn ${hex(e.pfn)}${e.offset ? ` offset ${hex(e.offset)}` : ''}${e.npages > 1 ? ` over ${e.npages} frames` : ''}`)
        .join('; ')}.`
    : 'No scatterlist exists at this step.';
  const written = state.device.accesses.reduce((n, a) => n + a.len, 0);
  const stale = [...staleFrames(state)];
  const staleText = stale.length ? ` Never handed back to the CPU (dma-debug): ${stale.map((f) => `pfn ${hex(f)}`).join(', ')}.` : '';
  return `Step ${state.stepIndex}. Buffer pages to physical frames: ${pages}. ${entries} The device has ${p.dir === 'DMA_TO_DEVICE' ? 'read' : 'written'} ${bytesText(written)} so far.${staleText}`;
}

// ---------------------------------------------------------------------------------------
// Diagram B: the IOMMU (or its absence)

/** Diagram B for `state`: IOVA granules to frames with DMA segments, or bus = physical. */
export function iommuScene(state: DmaState, frame: SgFrame): Scene {
  return state.params.iommu.enabled ? iommuOnScene(state, frame) : directScene(state, frame);
}

/** The IOVA window drawn: the live allocation of this command, else where the next one goes. */
function iovaWindow(state: DmaState): { start: number; size: number; live: boolean; freed: boolean } {
  const alloc = state.driver.iova;
  const live = state.iommu.allocations.find((a) => alloc !== null && a.start === alloc.start) ?? null;
  if (alloc) return { start: alloc.start, size: alloc.size, live: live !== null, freed: live === null };
  return { start: state.iommu.allocations[0]?.start ?? state.params.iommu.iovaBase, size: 0, live: false, freed: false };
}

function frameColumn(frames: readonly number[], top: number, rowH: number): { pl: FramePlacement; top: number } {
  const pl = placeFrames(frames, Number.POSITIVE_INFINITY, 8, rowH);
  return { pl, top };
}

function iommuOnScene(state: DmaState, frame: SgFrame): Scene {
  const p = state.params;
  const ps = p.pageSize;
  const g = state.iommu.granule;
  const shapes: Shape[] = [];
  const top = 28;
  const G = Math.max(1, frame.maxGranules);
  const perFrame = Math.min(4, Math.max(1, ps / g));
  const rh = G <= 12 ? 22 : Math.max(10, 264 / G);
  const fh = Math.max(rh, Math.min(44, rh * perFrame));
  const { pl } = frameColumn(frame.frames, top, fh);
  const height = top + Math.max(G * rh, pl.length) + 10;
  const boxX = 58;
  const boxW = 96;
  const frX = 252;
  const frW = SCENE_W - M - frX;
  const win = iovaWindow(state);
  const granuleY = (iova: number) => top + ((iova - win.start) / g) * rh;

  shapes.push({ kind: 'text', key: 'text-iova-head', cls: 'sg-rowlabel', x: boxX, y: 14, text: 'IOVA (device address)' });
  shapes.push({ kind: 'text', key: 'text-phys-head', cls: 'sg-rowlabel', x: frX, y: 14, text: 'physical frames' });

  const mapped = iommuGranules(state.iommu, ps);
  const byIova = new Map(mapped.map((m) => [m.iova, m]));
  for (let k = 0; k < G; k++) {
    const iova = win.start + k * g;
    const inWin = k * g < win.size;
    const m = byIova.get(iova);
    const cls = m ? `sg-granule sg-mapped${m.pad ? ' sg-pad' : ' sg-entry-tint'}` : inWin && win.live ? 'sg-granule sg-alloc' : 'sg-granule sg-free';
    shapes.push({
      kind: 'rect',
      key: `rect-granule-${k}`,
      cls,
      color: m ? entryColor(m.entry) : undefined,
      entry: m?.entry,
      x: boxX,
      y: r2(top + k * rh),
      w: boxW,
      h: r2(rh),
    });
    const quiet = !win.live && !m;
    if (!quiet && (rh >= 14 || k % 4 === 0)) {
      shapes.push({
        kind: 'text',
        key: `text-granule-${k}`,
        cls: `sg-granulelabel${inWin ? '' : ' sg-faint'}`,
        x: boxX + 5,
        y: r2(top + k * rh + Math.min(rh, 22) / 2 + 4),
        text: hex(iova),
      });
    }
  }
  if (!win.live && !mapped.length) {
    const msg = win.freed ? 'IOVA range unmapped and freed' : state.driver.phase === 'done' ? 'nothing mapped' : 'no IOVA allocated yet';
    shapes.push({ kind: 'text', key: 'text-iova-note', cls: 'sg-note', x: boxX + boxW / 2, y: r2(top + Math.min(G * rh, 200) / 2 + 4), text: msg, anchor: 'middle' });
  }

  const stale = staleFrames(state);
  for (const pfn of frame.frames) {
    const y = top + (pl.pos.get(pfn) ?? 0);
    const owner = frameOwner(state, pfn);
    const inBuffer = p.buffer.pfns.includes(pfn);
    shapes.push({ kind: 'rect', key: `rect-iframe-${pfn}`, cls: `sg-frame${owner === 'device' ? ' sg-dev' : ''}${inBuffer ? '' : ' sg-other'}${stale.has(pfn) ? ' sg-stale' : ''}`, x: frX, y: r2(y), w: frW, h: r2(pl.size) });
    shapes.push({ kind: 'text', key: `text-iframe-${pfn}`, cls: 'sg-framelabel', x: frX + frW - 5, y: r2(y + Math.min(pl.size, 22) / 2 + 4), text: `pfn ${hex(pfn)}`, anchor: 'end' });
  }

  // One line per mapped granule: IOVA -> frame.
  for (const m of mapped) {
    const y0 = granuleY(m.iova) + rh / 2;
    const fy = pl.pos.get(m.pfn);
    if (fy === undefined) continue;
    const y1 = top + fy + (((m.phys % ps) + g / 2) / ps) * pl.size;
    shapes.push({
      kind: 'path',
      key: `path-xlate-${m.iova}`,
      cls: `sg-xlate sg-entry-stroke${m.pad ? ' sg-pad' : ''}`,
      color: entryColor(m.entry),
      entry: m.entry,
      d: hlink({ source: [boxX + boxW, y0], target: [frX, y1] }) ?? '',
    });
  }

  // What the device accessed in this command: each done descriptor's IOVA range, beside the
  // IOVA column (a descriptor may run across granules, and so across frames).
  for (const a of state.device.accesses) {
    if (a.command !== state.driver.chunk || !win.live) continue;
    const y0 = granuleY(a.addr);
    const y1 = granuleY(a.addr + a.len);
    shapes.push({ kind: 'rect', key: `rect-access-${a.command}-${a.desc}`, cls: a.write ? 'sg-access sg-written' : 'sg-access sg-read', x: boxX + boxW + 2, y: r2(y0), w: 4, h: r2(Math.max(2, y1 - y0)) });
  }

  // DMA segments: sg_dma_address / sg_dma_len of the entries that hold one.
  const sgl = state.sgt?.sgl ?? [];
  sgl.forEach((e, i) => {
    // After unmap the entries keep their DMA fields (the kernel does not clear them), but the
    // IOVA range is gone: draw segments only while it is allocated.
    if (!win.live || e.dma_address === null || e.dma_length === 0) return;
    if (entryDmaStatus(state, i) === 'beyond') return;
    const y0 = granuleY(e.dma_address);
    const y1 = granuleY(e.dma_address + e.dma_length);
    shapes.push({ kind: 'rect', key: `rect-seg-${i}`, cls: 'sg-seg', x: 46, y: r2(y0), w: 7, h: r2(Math.max(2, y1 - y0)), rx: 2 });
    shapes.push({ kind: 'text', key: `text-seg-${i}`, cls: 'sg-seglabel', x: 42, y: r2(y0 + 10), text: `seg ${i}`, anchor: 'end' });
    shapes.push({ kind: 'text', key: `text-seglen-${i}`, cls: 'sg-seglen', x: 42, y: r2(y0 + 21), text: `${e.dma_length} B`, anchor: 'end' });
  });

  return { width: SCENE_W, height, shapes, desc: iommuDesc(state) };
}

function directScene(state: DmaState, frame: SgFrame): Scene {
  const p = state.params;
  const ps = p.pageSize;
  const shapes: Shape[] = [];
  const top = 28;
  const fh = 24;
  const { pl } = frameColumn(frame.frames, top, fh);
  const height = top + pl.length + 10;
  const frX = 252;
  const frW = SCENE_W - M - frX;
  const boxX = 40;
  const boxW = 150;

  shapes.push({ kind: 'text', key: 'text-bus-head', cls: 'sg-rowlabel', x: boxX, y: 14, text: 'bus address (no IOMMU)' });
  shapes.push({ kind: 'text', key: 'text-phys-head', cls: 'sg-rowlabel', x: frX, y: 14, text: 'physical frames' });

  for (const pfn of frame.frames) {
    const y = top + (pl.pos.get(pfn) ?? 0);
    const owner = frameOwner(state, pfn);
    shapes.push({ kind: 'rect', key: `rect-iframe-${pfn}`, cls: `sg-frame${owner === 'device' ? ' sg-dev' : ''}`, x: frX, y: r2(y), w: frW, h: fh });
    shapes.push({ kind: 'text', key: `text-iframe-${pfn}`, cls: 'sg-framelabel', x: frX + frW - 5, y: r2(y + fh / 2 + 4), text: `pfn ${hex(pfn)}`, anchor: 'end' });
  }

  const sgl = state.sgt?.sgl ?? [];
  let any = false;
  sgl.forEach((e, i) => {
    if (e.dma_address === null) return;
    const y0 = physPos(pl, e.dma_address, ps);
    const y1 = physPos(pl, e.dma_address + e.dma_length, ps, true);
    if (y0 === null || y1 === null) return;
    any = true;
    // At least one line of text high (a short entry's bus range is thinner than its label).
    const h = Math.max(15, y1 - y0);
    shapes.push({ kind: 'rect', key: `rect-bus-${i}`, cls: 'sg-bus sg-entry-tint', color: entryColor(i), entry: i, x: boxX, y: r2(top + y0), w: boxW, h: r2(h), rx: 3 });
    shapes.push({
      kind: 'text',
      key: `text-bus-${i}`,
      cls: 'sg-granulelabel',
      x: boxX + 5,
      y: r2(top + y0 + Math.min(h, 24) / 2 + 4),
      text: `${entryLabel(i)} ${hex(e.dma_address)}`,
    });
    // Identity: one level line per frame the entry covers.
    for (let k = 0; k < e.npages; k++) {
      const fy = pl.pos.get(e.pfn + k);
      if (fy === undefined) continue;
      const y = r2(top + fy + fh / 2);
      shapes.push({ kind: 'path', key: `path-bus-${i}-${k}`, cls: 'sg-xlate sg-entry-stroke', color: entryColor(i), entry: i, d: `M${boxX + boxW},${y}L${frX},${y}` });
    }
  });
  if (!any) {
    const msg = state.driver.phase === 'done' || (state.driver.chunk >= 0 && state.sgt === null) ? 'nothing mapped' : 'dma_direct_map_sg has not run yet';
    shapes.push({ kind: 'text', key: 'text-bus-note', cls: 'sg-note', x: boxX + boxW / 2, y: r2(top + Math.min(pl.length, 160) / 2 + 4), text: msg, anchor: 'middle' });
  }
  shapes.push({ kind: 'text', key: 'text-bus-eq', cls: 'sg-note', x: r2((boxX + boxW + frX) / 2), y: height - 2, text: 'bus = physical', anchor: 'middle' });
  return { width: SCENE_W, height, shapes, desc: iommuDesc(state) };
}

/** The `<desc>` of diagram B. */
export function iommuDesc(state: DmaState): string {
  const ps = state.params.pageSize;
  const sgl = state.sgt?.sgl ?? [];
  if (!state.params.iommu.enabled) {
    const mapped = sgl.flatMap((e, i) => (e.dma_address === null ? [] : [`${entryLabel(i)} bus address ${hex(e.dma_address)} (= its physical address), ${e.dma_length} bytes`]));
    return `Step ${state.stepIndex}. No IOMMU: dma-direct gives each entry its physical address as bus address. ${mapped.length ? `${mapped.join('; ')}.` : 'Nothing is mapped.'}`;
  }
  const gr = iommuGranules(state.iommu, ps);
  const lines = gr.map((m) => `IOVA ${hex(m.iova)} to pfn ${hex(m.pfn)}${m.pad ? ' (padding)' : ` (${entryLabel(m.entry)})`}`);
  const win = iovaWindow(state);
  const segs = sgl.flatMap((e, i) => (!win.live || e.dma_address === null || entryDmaStatus(state, i) === 'beyond' ? [] : [`segment ${i} at IOVA ${hex(e.dma_address)}, ${e.dma_length} bytes`]));
  const alloc = win.live ? `IOVA ${hex(win.start)}–${hex(win.start + win.size - 1)} is allocated. ` : win.freed ? 'The IOVA range has been freed. ' : 'No IOVA is allocated. ';
  return `Step ${state.stepIndex}. ${alloc}${lines.length ? `Translations: ${lines.join('; ')}. ` : ''}${segs.length ? `DMA segments: ${segs.join('; ')}.` : 'No DMA segments yet.'}`;
}

// ---------------------------------------------------------------------------------------
// Diagram C: the driver's loop and the device's descriptors

/** Diagram C for `state`: the chunk bar and the descriptor list. */
export function deviceScene(state: DmaState, frame: SgFrame): Scene {
  const p = state.params;
  const d = state.driver;
  const shapes: Shape[] = [];
  const inner = SCENE_W - 2 * M;
  // Buffer bytes -> x (a linear scale; d3-scale would pull d3-format and d3-time for this).
  const x = (bytes: number): number => M + (bytes / p.buffer.len) * inner;
  const barY = 20;
  const barH = 18;
  const chunk = currentChunk(state);
  const doneNow = chunk && state.device.descriptors.length ? commandBytesDone(state) : 0;

  shapes.push({ kind: 'text', key: 'text-loop', cls: 'sg-rowlabel', x: M, y: 13, text: `loop: ${chunkText(state)} · ${d.transferred} of ${p.buffer.len} bytes moved` });
  shapes.push({ kind: 'rect', key: 'rect-loop-bg', cls: 'sg-loopbg', x: M, y: barY, w: inner, h: barH, rx: 3 });
  shapes.push({ kind: 'rect', key: 'rect-loop-done', cls: 'sg-loopdone', x: M, y: barY, w: r2(x(d.transferred) - M), h: barH, rx: 3 });
  if (chunk) {
    shapes.push({ kind: 'rect', key: 'rect-loop-now', cls: 'sg-loopnow', x: r2(x(chunk.start)), y: barY, w: r2(x(chunk.start + doneNow) - x(chunk.start)), h: barH });
  }
  d.chunks.forEach((c, i) => {
    const cur = chunk?.index === i;
    shapes.push({ kind: 'rect', key: `rect-chunk-${i}`, cls: `sg-chunk${cur ? ' sg-cur' : ''}`, x: r2(x(c.start)), y: barY, w: r2(x(c.start + c.len) - x(c.start)), h: barH });
    const w = x(c.start + c.len) - x(c.start);
    shapes.push({ kind: 'text', key: `text-chunk-${i}`, cls: 'sg-chunklabel', x: r2(x(c.start) + w / 2), y: barY + 13, text: w > 60 ? `command ${i + 1}` : String(i + 1), anchor: 'middle' });
  });

  shapes.push({ kind: 'text', key: 'text-device', cls: 'sg-rowlabel', x: M, y: 56, text: `device: ${deviceWords(state)}` });

  const headY = 74;
  const cols = { idx: M + 4, addr: M + 30, len: M + 150, bar: M + 158, status: SCENE_W - M - 4 };
  const barW = 108;
  shapes.push({ kind: 'text', key: 'text-dh-idx', cls: 'sg-colhead', x: cols.idx, y: headY, text: '#' });
  shapes.push({ kind: 'text', key: 'text-dh-addr', cls: 'sg-colhead', x: cols.addr, y: headY, text: 'address' });
  shapes.push({ kind: 'text', key: 'text-dh-len', cls: 'sg-colhead', x: cols.len, y: headY, text: 'length', anchor: 'end' });
  shapes.push({ kind: 'text', key: 'text-dh-status', cls: 'sg-colhead', x: cols.status, y: headY, text: 'status', anchor: 'end' });

  const rowH = 22;
  const rowsY = headY + 6;
  const rows = Math.max(1, frame.maxDescs);
  const posted = state.device.descriptors;
  const pending = d.phase === 'post' || d.phase === 'doorbell' ? d.pending : [];
  const list = posted.length >= pending.length ? posted : [...posted, ...pending.slice(posted.length)];
  for (let k = 0; k < rows; k++) {
    const y = rowsY + k * rowH;
    const desc = list[k];
    const isPosted = k < posted.length;
    const done = isPosted && posted[k].done;
    const next = isPosted && state.device.running && state.device.next === k;
    const cls = !desc ? 'sg-descrow sg-empty' : done ? 'sg-descrow sg-done' : isPosted ? `sg-descrow sg-posted${next ? ' sg-next' : ''}` : 'sg-descrow sg-topost';
    shapes.push({ kind: 'rect', key: `rect-desc-${k}`, cls, x: M, y, w: inner, h: rowH - 3, rx: 3 });
    if (!desc) continue;
    const ty = y + 13;
    shapes.push({ kind: 'text', key: `text-desc-idx-${k}`, cls: 'sg-desctext', x: cols.idx, y: ty, text: String(k) });
    shapes.push({ kind: 'text', key: `text-desc-addr-${k}`, cls: 'sg-desctext', x: cols.addr, y: ty, text: hex(desc.addr) });
    shapes.push({ kind: 'text', key: `text-desc-len-${k}`, cls: 'sg-desctext', x: cols.len, y: ty, text: String(desc.len), anchor: 'end' });
    shapes.push({ kind: 'rect', key: `rect-desc-bar-${k}`, cls: 'sg-descbar', x: cols.bar, y: y + 5, w: r2(Math.max(1, (desc.len / p.device.maxDescLen) * barW)), h: rowH - 13 });
    const status = done ? '✓ done' : next ? '▶ next' : isPosted ? 'posted' : 'to post';
    shapes.push({ kind: 'text', key: `text-desc-status-${k}`, cls: 'sg-descstatus', x: cols.status, y: ty, text: status, anchor: 'end' });
  }
  if (list.length === 0) {
    shapes.push({ kind: 'text', key: 'text-desc-none', cls: 'sg-note', x: SCENE_W / 2, y: rowsY + 13, text: 'no descriptors posted', anchor: 'middle' });
  }
  const height = rowsY + rows * rowH + 6;
  return { width: SCENE_W, height, shapes, desc: deviceDesc(state) };
}

/** The `<desc>` of diagram C. */
export function deviceDesc(state: DmaState): string {
  const d = state.driver;
  const list = state.device.descriptors.map((x, k) => `descriptor ${k}: ${hex(x.addr)}, ${x.len} bytes, ${x.done ? 'done' : 'not done'}`);
  return `Step ${state.stepIndex}. Driver loop: ${chunkText(state)}, ${d.transferred} of ${state.params.buffer.len} bytes transferred. Device ${deviceWords(state)}. ${list.length ? `${list.join('; ')}.` : 'No descriptors posted.'}`;
}

