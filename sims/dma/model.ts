/**
 * The scatter-gather and IOMMU model: a driver moves a pinned user buffer to or from a device
 * in hardware-sized commands, one step at a time, the way a Linux 6.12 driver built on the
 * original question's answer would:
 *
 *     for each chunk of at most device.maxTransfer bytes:        (the original question's 256 KiB loop)
 *         sg_alloc_table_from_pages_segment(sgt, pages, ...)      one step per page
 *         count = dma_map_sg(dev, sgt->sgl, sgt->orig_nents, dir) dma-direct: one step per entry;
 *                 (or dma_map_sgtable(dev, sgt, dir, 0))          IOMMU: allocate, map each
 *                                                                 entry, __finalise_sg each entry
 *         for_each_sg(sgt->sgl, sg, count, i) write descriptors   one step per descriptor
 *         start the device, wait_event_interruptible_timeout(...) the device: one step per
 *                                                                 descriptor, then its interrupt
 *         dma_unmap_sg(dev, sgt->sgl, sgt->orig_nents, dir)       (or the classic bug: count)
 *         sg_free_table(sgt)
 *
 * Modelled on Linux 6.12: lib/scatterlist.c (`sg_alloc_table_from_pages_segment`,
 * `sg_alloc_append_table_from_pages`, `sg_free_table`), kernel/dma/mapping.c
 * (`dma_map_sg_attrs`, `dma_map_sgtable`, `dma_unmap_sg_attrs`), kernel/dma/direct.c
 * (`dma_direct_map_sg`, `dma_direct_unmap_sg`), drivers/iommu/dma-iommu.c
 * (`iommu_dma_map_sg`, `__finalise_sg`, `iommu_dma_alloc_iova`, `iommu_dma_unmap_sg`),
 * kernel/dma/debug.c (`check_unmap`, `check_sg_segment`), include/linux/scatterlist.h.
 *
 * Choices: exactly one actor can move in every state (the driver, or while it sleeps the
 * device), so `enabled` returns one choice until the ioctl has returned, then none. The player
 * steps it; the choice names who acts.
 *
 * Where the model departs from the kernel (each also noted at the code):
 * 1. IOVA allocation: lowest fit from `iovaBase`, naturally aligned; the kernel searches
 *    top-down from the DMA limit with per-CPU caches (`./iommu.ts`).
 * 2. `iommu_map_sg` maps entry by entry; the kernel coalesces physically contiguous entries.
 *    `iommu_dma_map_sg` keeps its per-entry layout in the entries themselves (in the DMA
 *    fields and a temporarily changed offset/length); the model keeps it in `driver.layout`
 *    and leaves the CPU fields alone.
 * 3. The device is DMA-coherent and can address every frame: no cache maintenance, no swiotlb
 *    bounce buffers (to come). Ownership is still tracked per entry (`owner`), so unmapping
 *    with the wrong count shows which entries were never handed back to the CPU.
 * 4. `sgt.nents`/`orig_nents` follow the entries as they are built (the kernel sets them once
 *    the table is complete). No chained tables (`SG_MAX_SINGLE_ALLOC`), no p2pdma pages.
 * 5. The driver's own code (the chunk loop, descriptors, the doorbell, the interrupt) is the
 *    original question's, not the kernel's: those steps carry `source: null`. No timeouts or signals.
 * 6. Pinning and unpinning are `sims/mm`'s: the pinned pages are the input.
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';
import { checkCoverage, descriptorsFor, deviceTarget, splitTransfer } from './device.ts';
import { IOVA_LIMIT, finaliseEntry, finaliseStart, iommuDmaLayout, iommuInit, iommuMapEntry, iovaAlloc } from './iommu.ts';
import { dmaDebugCheckSegments, dmaUnmapSg } from './mapping.ts';
import { UINT_MAX, alignedMaxSegment, pagesSpanned, sgPhys, sgPlacePage, subBuffer, validateBuffer } from './sg.ts';
import type { DmaChoice, DmaParams, DmaReport, DmaState, DriverPhase, DriverState, IommuMapping, SgEntry } from './types.ts';

// The public API (pure functions, presets, types) is re-exported by ./index.ts.

/** The kernel version every step's source was read in. */
export const KERNEL_VERSION = '6.12';
/** Largest accepted buffer, in pages (keeps states and traces small). */
export const MAX_PAGES = 4096;

function source(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

const SRC = {
  sgAlloc: source('lib/scatterlist.c', 'sg_alloc_table_from_pages_segment'),
  sgFree: source('lib/scatterlist.c', 'sg_free_table'),
  directMap: source('kernel/dma/direct.c', 'dma_direct_map_sg'),
  directUnmap: source('kernel/dma/direct.c', 'dma_direct_unmap_sg'),
  iommuMapSg: source('drivers/iommu/dma-iommu.c', 'iommu_dma_map_sg'),
  // drivers/iommu/iommu.c is not in the extracted 6.12 tree used for this model; iommu_map_sg
  // there maps each run of sg->length bytes at consecutive IOVAs (checked in mainline source).
  iommuMap: source('drivers/iommu/iommu.c', 'iommu_map_sg'),
  finalise: source('drivers/iommu/dma-iommu.c', '__finalise_sg'),
  iommuUnmap: source('drivers/iommu/dma-iommu.c', 'iommu_dma_unmap_sg'),
  mapSg: source('kernel/dma/mapping.c', 'dma_map_sg_attrs'),
  mapSgtable: source('kernel/dma/mapping.c', 'dma_map_sgtable'),
  unmapSgtable: source('include/linux/dma-mapping.h', 'dma_unmap_sgtable'),
  forEachSg: source('include/linux/scatterlist.h', 'for_each_sg'),
  forEachSgtableDmaSg: source('include/linux/scatterlist.h', 'for_each_sgtable_dma_sg'),
} as const;

// ---------------------------------------------------------------------------------------
// Words

const hex = (n: number): string => `0x${n.toString(16)}`;

/** "1 byte", "3532 bytes", "8 KiB", "1 MiB". */
export function fmtBytes(n: number): string {
  if (n === 1) return '1 byte';
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** "1-byte", "3532-byte", "8 KiB": a size used as an adjective. */
function sizeAdj(n: number): string {
  const t = fmtBytes(n);
  return t.endsWith(' bytes') || t === '1 byte' ? `${n}-byte` : t;
}

/** "0x100000–0x100fff": an address range of `size` bytes. */
function range(start: number, size: number): string {
  return `${hex(start)}–${hex(start + size - 1)}`;
}

/** "pfn 0x1a3", "pfns 0x1a3–0x1a5", "pfns 0x1a3, 0x3c0 and 0x2f7". */
export function pfnsText(pfns: readonly number[]): string {
  const u = [...new Set(pfns)];
  if (u.length === 1) return `pfn ${hex(u[0])}`;
  if (u.every((p, i) => i === 0 || p === u[i - 1] + 1)) return `pfns ${hex(u[0])}–${hex(u[u.length - 1])}`;
  return `pfns ${u.slice(0, -1).map(hex).join(', ')} and ${hex(u[u.length - 1])}`;
}

/** "entry 2", "entries 2 and 3", "entries 1–4". */
function entriesText(idx: readonly number[]): string {
  if (idx.length === 1) return `entry ${idx[0]}`;
  if (idx.length === 2) return `entries ${idx[0]} and ${idx[1]}`;
  return `entries ${idx[0]}–${idx[idx.length - 1]}`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Frames a mapping run covers. */
function mappingPfns(m: IommuMapping, pageSize: number): number[] {
  const first = Math.floor(m.phys / pageSize);
  const last = Math.floor((m.phys + m.size - 1) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

// ---------------------------------------------------------------------------------------
// Parameters

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const isPow2 = (n: unknown): n is number => isInt(n) && n >= 1 && n <= 2 ** 30 && (n & (n - 1)) === 0;

/**
 * Checks `params` and throws `RangeError` naming the first bad field:
 * - `pageSize` a power of two from 256 to 65536;
 * - `buffer`: see `validateBuffer`, at most `MAX_PAGES` pages, distinct frames;
 * - `sgMaxSegment` null or a number that is at least one page once aligned down (<= UINT_MAX
 *   is applied as in the kernel);
 * - `maxSegSize` an integer from 1 to UINT_MAX;
 * - `segBoundaryMask` null or an integer whose `+ 1` is a power of two >= `pageSize`, below 2^48;
 * - `iommu.enabled` boolean; when enabled, `granule` a power of two from 256 to `pageSize`
 *   and `iovaBase` a multiple of it from `granule` to below 2^47;
 * - `device.maxDescLen` an integer from 1 to UINT_MAX, `device.maxTransfer` an integer >= 1;
 * - `dir`, `api`, `unmapNents` one of their values.
 */
export function validateParams(params: DmaParams): void {
  if (typeof params !== 'object' || params === null) throw new RangeError('dma params: expected an object');
  const ps = params.pageSize;
  if (!isPow2(ps) || ps < 256 || ps > 65536) throw new RangeError(`dma params: pageSize must be a power of two from 256 to 65536, got ${ps}`);
  const b = params.buffer;
  if (typeof b !== 'object' || b === null) throw new RangeError('dma params: buffer must be an object {pfns, offset, len}');
  validateBuffer(b.pfns, b.offset, b.len, ps, 'dma params: buffer');
  if (b.pfns.length > MAX_PAGES) throw new RangeError(`dma params: buffer spans ${b.pfns.length} pages, more than ${MAX_PAGES}`);
  if (new Set(b.pfns).size !== b.pfns.length) throw new RangeError('dma params: buffer.pfns must be distinct frames');
  if (params.sgMaxSegment !== null) {
    if (typeof params.sgMaxSegment !== 'number') throw new RangeError(`dma params: sgMaxSegment must be a number or null, got ${typeof params.sgMaxSegment}`);
    try {
      alignedMaxSegment(params.sgMaxSegment, ps);
    } catch (e) {
      throw new RangeError(`dma params: sgMaxSegment: ${(e as Error).message}`);
    }
  }
  if (!isInt(params.maxSegSize) || params.maxSegSize < 1 || params.maxSegSize > UINT_MAX) {
    throw new RangeError(`dma params: maxSegSize must be an integer from 1 to ${UINT_MAX}, got ${params.maxSegSize}`);
  }
  const m = params.segBoundaryMask;
  if (m !== null) {
    if (!isInt(m) || m + 1 < ps || m + 1 > 2 ** 48 || Math.log2(m + 1) % 1 !== 0) {
      throw new RangeError(`dma params: segBoundaryMask must be null or a mask whose + 1 is a power of two from pageSize to 2^48, got ${m}`);
    }
  }
  const io = params.iommu;
  if (typeof io !== 'object' || io === null || typeof io.enabled !== 'boolean') throw new RangeError('dma params: iommu must be an object with a boolean enabled');
  if (io.enabled) {
    if (!isPow2(io.granule) || io.granule < 256 || io.granule > ps) {
      throw new RangeError(`dma params: iommu.granule must be a power of two from 256 to pageSize (${ps}), got ${io.granule}`);
    }
    if (!isInt(io.iovaBase) || io.iovaBase < io.granule || io.iovaBase % io.granule !== 0 || io.iovaBase >= IOVA_LIMIT / 2) {
      throw new RangeError(`dma params: iommu.iovaBase must be a multiple of the granule from ${io.granule} to below 2^47, got ${io.iovaBase}`);
    }
  }
  const d = params.device;
  if (typeof d !== 'object' || d === null) throw new RangeError('dma params: device must be an object {maxDescLen, maxTransfer}');
  if (!isInt(d.maxDescLen) || d.maxDescLen < 1 || d.maxDescLen > UINT_MAX) {
    throw new RangeError(`dma params: device.maxDescLen must be an integer from 1 to ${UINT_MAX}, got ${d.maxDescLen}`);
  }
  if (!isInt(d.maxTransfer) || d.maxTransfer < 1) throw new RangeError(`dma params: device.maxTransfer must be an integer >= 1, got ${d.maxTransfer}`);
  if (!['DMA_FROM_DEVICE', 'DMA_TO_DEVICE', 'DMA_BIDIRECTIONAL'].includes(params.dir)) {
    throw new RangeError(`dma params: dir must be DMA_FROM_DEVICE, DMA_TO_DEVICE or DMA_BIDIRECTIONAL, got ${JSON.stringify(params.dir)}`);
  }
  if (params.api !== 'dma_map_sg' && params.api !== 'dma_map_sgtable') {
    throw new RangeError(`dma params: api must be 'dma_map_sg' or 'dma_map_sgtable', got ${JSON.stringify(params.api)}`);
  }
  if (params.unmapNents !== 'orig' && params.unmapNents !== 'mapped') {
    throw new RangeError(`dma params: unmapNents must be 'orig' or 'mapped', got ${JSON.stringify(params.unmapNents)}`);
  }
}

function cloneParams(p: DmaParams): DmaParams {
  return {
    buffer: { pfns: p.buffer.pfns.slice(), offset: p.buffer.offset, len: p.buffer.len },
    pageSize: p.pageSize,
    sgMaxSegment: p.sgMaxSegment,
    maxSegSize: p.maxSegSize,
    segBoundaryMask: p.segBoundaryMask,
    iommu: { enabled: p.iommu.enabled, iovaBase: p.iommu.iovaBase, granule: p.iommu.granule },
    device: { maxDescLen: p.device.maxDescLen, maxTransfer: p.device.maxTransfer },
    dir: p.dir,
    api: p.api,
    unmapNents: p.unmapNents,
  };
}

// ---------------------------------------------------------------------------------------
// Steps

/** One step's result before `stepIndex`, `event` and `lastChoice` are attached. */
interface Outcome {
  state: DmaState;
  narration: string;
  source: KernelSource | null;
  actor: 'driver' | 'device';
}

function withDriver(s: DmaState, patch: Partial<DriverState>): DmaState {
  return { ...s, driver: { ...s.driver, ...patch } };
}

function driverDone(s: DmaState, patch: Partial<DriverState>, narration: string, src: KernelSource | null): Outcome {
  return { state: withDriver(s, patch), narration, source: src, actor: 'driver' };
}

function dirText(s: DmaState): string {
  return s.params.dir;
}

/** "dma_map_sg(dev, sgl, n, DIR) goes to `impl`" or "dma_map_sgtable(dev, sgt, DIR, 0) passes
 *  orig_nents (n) to `impl`", as the driver calls it. */
function mapCallText(s: DmaState, n: number, impl: string): string {
  return s.params.api === 'dma_map_sg'
    ? `dma_map_sg(dev, sgl, ${n}, ${dirText(s)}) goes to ${impl}`
    : `dma_map_sgtable(dev, sgt, ${dirText(s)}, 0) passes orig_nents (${n}) to ${impl}`;
}

/** "the entry", "both entries", "all 5 entries". */
function allEntries(n: number): string {
  return n === 1 ? 'the entry' : n === 2 ? 'both entries' : `all ${n} entries`;
}

function stepStartChunk(s: DmaState): Outcome {
  const { params } = s;
  const k = s.driver.chunk + 1;
  const c = s.driver.chunks[k];
  const buf = subBuffer(params.buffer, c.start, c.len, params.pageSize);
  const where = `${plural(buf.pfns.length, 'pinned page', 'pinned pages')} starting ${buf.offset ? `${hex(buf.offset)} into` : 'at the beginning of'} pfn ${hex(buf.pfns[0])}`;
  const limit = fmtBytes(params.device.maxTransfer);
  const narration =
    s.driver.chunks.length === 1
      ? `The driver takes the whole ${sizeAdj(c.len)} buffer as one command (the device moves at most ${limit} per command): ${where}.`
      : `Command ${k + 1} of ${s.driver.chunks.length}: the driver's loop takes bytes ${c.start}–${c.start + c.len - 1} (${fmtBytes(c.len)}; at most ${limit} per command), on ${where}.`;
  return driverDone(
    { ...s, sgt: null },
    { phase: 'sg-page', chunk: k, chunkBuffer: buf, cursor: 0, mappedCount: null, iova: null, layout: null, finalise: null, pending: [] },
    narration,
    null,
  );
}

function stepSgPage(s: DmaState): Outcome {
  const { params, driver } = s;
  const buf = driver.chunkBuffer as NonNullable<DriverState['chunkBuffer']>;
  const ps = params.pageSize;
  const maxSeg = alignedMaxSegment(params.sgMaxSegment, ps);
  const page = driver.cursor;
  const { sgl, decision } = sgPlacePage(s.sgt ? s.sgt.sgl : [], buf, page, maxSeg, ps);
  const e = sgl[decision.entry];
  const lastPage = page === buf.pfns.length - 1;
  let text: string;
  if (decision.kind === 'merge') {
    text = `pfn ${hex(decision.pfn)} follows pfn ${hex(buf.pfns[page - 1])}, so entry ${decision.entry} grows over it to ${e.length} bytes (${e.npages} pages)`;
  } else if (decision.reason === 'first') {
    const whole = buf.pfns.length === 1 ? ' (the whole buffer)' : e.offset ? ' (to the end of the page)' : ' (the whole page)';
    text = `sg_alloc_table_from_pages_segment starts entry 0 at pfn ${hex(decision.pfn)}, offset ${e.offset ? hex(e.offset) : '0'}, with ${e.length} bytes${whole}`;
  } else if (decision.reason === 'not-consecutive') {
    text = `pfn ${hex(decision.pfn)} does not follow pfn ${hex(buf.pfns[page - 1])}, so entry ${decision.entry} starts there with ${e.length} bytes`;
  } else {
    text = `pfn ${hex(decision.pfn)} follows pfn ${hex(buf.pfns[page - 1])}, but entry ${decision.entry - 1} already spans max_segment (${fmtBytes(maxSeg)}), so entry ${decision.entry} starts there with ${e.length} bytes`;
  }
  if (lastPage && page > 0 && e.length % ps !== 0 && decision.kind === 'start') text += ', all that is left of the buffer';
  const n = sgl.length;
  const narration = lastPage ? `${text}; the table is built: ${plural(n, 'entry', 'entries')}, nents = orig_nents = ${n}.` : `${text}.`;
  const next: DriverPhase = lastPage ? (params.iommu.enabled ? 'iova-alloc' : 'map-direct') : 'sg-page';
  return driverDone({ ...s, sgt: { sgl, nents: n, orig_nents: n } }, { phase: next, cursor: lastPage ? 0 : page + 1 }, narration, SRC.sgAlloc);
}

function setEntry(sgl: readonly SgEntry[], i: number, patch: Partial<SgEntry>): SgEntry[] {
  const out = sgl.slice();
  out[i] = { ...out[i], ...patch };
  return out;
}

function stepMapDirect(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const i = s.driver.cursor;
  const e = sgt.sgl[i];
  const ps = s.params.pageSize;
  const phys = sgPhys(e, ps);
  const sgl = setEntry(sgt.sgl, i, { dma_address: phys, dma_length: e.length, owner: 'device' });
  const lead = i === 0 ? `With no IOMMU, ${mapCallText(s, sgt.orig_nents, 'dma_direct_map_sg')}: ` : '';
  const what = `dma_direct_map_page gives entry ${i} bus address ${hex(phys)}, its physical address (pfn ${hex(e.pfn)} × ${ps}${e.offset ? ` + ${hex(e.offset)}` : ''}), and sg_dma_len ${e.length}`;
  const narration = `${lead}${what}.`;
  const last = i === sgt.orig_nents - 1;
  return driverDone({ ...s, sgt: { ...sgt, sgl } }, { phase: last ? 'map-return' : 'map-direct', cursor: last ? 0 : i + 1 }, narration, SRC.directMap);
}

function stepIovaAlloc(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const { params } = s;
  const g = s.iommu.granule;
  const n = sgt.orig_nents;
  const { layout, iovaLen } = iommuDmaLayout(sgt.sgl, n, g, params.segBoundaryMask);
  const alloc = iovaAlloc(s.iommu, iovaLen);
  // The IOVA space (2^48 bytes) cannot run out here: one mapping is live at a time.
  if (!alloc) throw new Error('dma model: IOVA space exhausted');
  const offs = layout.flatMap((l, i) => (l.iovaOff ? [`entry ${i} starts ${hex(l.iovaOff)} into its granule`] : []));
  const pads = layout.flatMap((l, i) => (l.pad ? [`entry ${i} is padded by ${fmtBytes(l.pad)} so that entry ${i + 1} starts on a segment boundary`] : []));
  const notes = [...offs, ...pads];
  const narration =
    `${mapCallText(s, n, 'iommu_dma_map_sg')}: it rounds each entry out to ${fmtBytes(g)} IOVA granules` +
    (notes.length ? ` (${notes.join('; ')})` : '') +
    ` and allocates one IOVA range for ${allEntries(n)}: ${range(alloc.range.start, alloc.range.size)} (${fmtBytes(alloc.range.size)}).`;
  const sgl = sgt.sgl.map((e, i): SgEntry => (i < n ? { ...e, owner: 'device' } : e));
  return driverDone(
    { ...s, iommu: alloc.iommu, sgt: { ...sgt, sgl } },
    { phase: 'iommu-map', cursor: 0, iova: alloc.range, layout },
    narration,
    SRC.iommuMapSg,
  );
}

function stepIommuMap(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const i = s.driver.cursor;
  const layout = s.driver.layout!;
  const iova = s.driver.iova!;
  const iommu = iommuMapEntry(s.iommu, sgt.sgl[i], layout[i], i, iova.start, s.params.pageSize);
  const m = iommu.mappings.find((x) => x.entry === i && x.iova === iova.start + layout[i].at)!;
  const entryFrames = mappingPfns({ ...m, size: m.size - m.pad }, s.params.pageSize);
  const padText = m.pad ? `, plus ${fmtBytes(m.pad)} of padding onto ${pfnsText(mappingPfns({ ...m, iova: m.iova + m.size - m.pad, phys: m.phys + m.size - m.pad, size: m.pad }, s.params.pageSize))}, the memory after it` : '';
  const narration = `iommu_map_sg maps IOVA ${range(m.iova, m.size - m.pad)} onto ${pfnsText(entryFrames)} (entry ${i})${padText}.`;
  const last = i === sgt.orig_nents - 1;
  return driverDone(
    { ...s, iommu },
    last ? { phase: 'finalise', cursor: 0, finalise: finaliseStart(iova.start) } : { cursor: i + 1 },
    narration,
    SRC.iommuMap,
  );
}

function stepFinalise(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const { params } = s;
  const i = s.driver.cursor;
  const c = s.driver.finalise!;
  const layout = s.driver.layout!;
  const r = finaliseEntry(sgt.sgl, layout, i, c, params.maxSegSize, params.segBoundaryMask);
  const seg = r.cursor.cur;
  const segAddr = r.sgl[seg].dma_address as number;
  const len = layout[i].length;
  const max = fmtBytes(params.maxSegSize);
  const starts = `__finalise_sg starts DMA segment ${seg} at IOVA ${hex(segAddr)} with ${len} bytes`;
  let narration: string;
  switch (r.decision) {
    case 'first':
      narration = `__finalise_sg restores entry 0 and starts DMA segment 0 at IOVA ${hex(segAddr)} with ${len} bytes.`;
      break;
    case 'merge':
      narration = r.wrapped
        ? `Entry ${i} continues DMA segment ${seg} in IOVA space; the segment is already longer than max_seg_size (${max}), the unsigned max_len - cur_len wraps around, and __finalise_sg merges it anyway: ${r.cursor.curLen || r.sgl[seg].dma_length} bytes.`
        : `Entry ${i} starts on a granule boundary right where DMA segment ${seg} ends in IOVA space, and ${c.curLen} + ${len} bytes fit in max_seg_size (${max}): __finalise_sg merges it into segment ${seg}, now ${r.sgl[seg].dma_length} bytes.`;
      break;
    case 'new-offset':
      narration = `Entry ${i} starts ${hex(layout[i].iovaOff)} into its IOVA granule, so it cannot extend DMA segment ${c.cur}: ${starts}.`;
      break;
    case 'new-gap':
      narration =
        layout[i - 1].pad > 0
          ? `Entry ${i - 1} was padded so that entry ${i} starts on a ${fmtBytes((params.segBoundaryMask as number) + 1)} segment boundary, and no DMA segment may run across one: ${starts}.`
          : `DMA segment ${c.cur} ends before its last IOVA granule does, so entry ${i} is not contiguous with it: ${starts}.`;
      break;
    case 'new-boundary':
      narration = `Entry ${i}'s IOVA ${hex(c.dmaAddr)} is on a ${fmtBytes((params.segBoundaryMask as number) + 1)} segment boundary, so it may not extend DMA segment ${c.cur}: ${starts}.`;
      break;
    case 'new-max':
      narration = `Appending entry ${i} (${len} bytes) to DMA segment ${c.cur} (${c.curLen} bytes) would exceed max_seg_size (${max}), so ${starts}.`;
      break;
  }
  const last = i === sgt.orig_nents - 1;
  return driverDone(
    { ...s, sgt: { ...sgt, sgl: r.sgl } },
    last ? { phase: 'map-return', cursor: 0, finalise: r.cursor } : { cursor: i + 1, finalise: r.cursor },
    narration,
    SRC.finalise,
  );
}

function stepMapReturn(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const { params } = s;
  const n = sgt.orig_nents;
  const count = params.iommu.enabled ? s.driver.finalise!.count : n;
  const dev = { maxSegSize: params.maxSegSize, segBoundaryMask: params.segBoundaryMask, pageSize: params.pageSize };
  const found = dmaDebugCheckSegments(sgt, count, dev).map((r): DmaReport => ({ ...r, chunk: s.driver.chunk }));
  let narration: string;
  const direct = !params.iommu.enabled;
  if (params.api === 'dma_map_sgtable') {
    narration = `dma_map_sgtable returns 0 and sets sgt->nents = ${count}; sgt->orig_nents stays ${n}${direct ? ' (dma-direct merges nothing)' : count < n ? ', the CPU entries that dma_unmap_sgtable will pass' : ''}`;
  } else if (direct) {
    narration = `dma_map_sg returns ${n}, the nents it was given: dma-direct merges nothing`;
  } else if (count < n) {
    narration = `dma_map_sg returns ${count}, fewer than the ${n} entries it was given: the driver must walk ${plural(count, 'DMA segment', 'DMA segments')} with sg_dma_address and sg_dma_len, and still pass ${n} to dma_unmap_sg`;
  } else {
    narration = `dma_map_sg returns ${count}, the nents it was given: no two entries could be merged`;
  }
  if (found.length) narration += `; dma-debug reports "${found[0].message}"`;
  narration += '.';
  const nextSgt = params.api === 'dma_map_sgtable' ? { ...sgt, nents: count } : sgt;
  const pending = descriptorsFor(sgt.sgl, count, params.device.maxDescLen);
  return {
    state: { ...withDriver({ ...s, sgt: nextSgt }, { phase: 'post', cursor: 0, mappedCount: count, layout: null, finalise: null, pending }), reports: [...s.reports, ...found] },
    narration,
    source: params.api === 'dma_map_sgtable' ? SRC.mapSgtable : SRC.mapSg,
    actor: 'driver',
  };
}

function stepPost(s: DmaState): Outcome {
  const k = s.driver.cursor;
  const d = s.driver.pending[k];
  const maxDesc = fmtBytes(s.params.device.maxDescLen);
  const piece = d.parts > 1 ? `, piece ${d.part + 1} of ${d.parts}: segments longer than ${maxDesc} are cut` : '';
  const narration = `The driver writes descriptor ${k}: address ${hex(d.addr)}, ${d.len} bytes (sg_dma_address and sg_dma_len of DMA segment ${d.seg}${piece}).`;
  const last = k === s.driver.pending.length - 1;
  return driverDone(
    { ...s, device: { ...s.device, descriptors: [...s.device.descriptors, { ...d }] } },
    { phase: last ? 'doorbell' : 'post', cursor: last ? 0 : k + 1 },
    narration,
    s.params.api === 'dma_map_sgtable' ? SRC.forEachSgtableDmaSg : SRC.forEachSg,
  );
}

function stepDoorbell(s: DmaState): Outcome {
  const n = s.device.descriptors.length;
  const bytes = s.device.descriptors.reduce((a, d) => a + d.len, 0);
  const narration = `The driver starts the device on ${plural(n, 'descriptor', 'descriptors')} (${fmtBytes(bytes)}) and sleeps in wait_event_interruptible_timeout until the completion interrupt.`;
  return driverDone({ ...s, device: { ...s.device, running: true, next: 0 } }, { phase: 'wait', cursor: 0 }, narration, null);
}

function stepDevice(s: DmaState): Outcome {
  const dev = s.device;
  if (dev.next < dev.descriptors.length) {
    const k = dev.next;
    const d = dev.descriptors[k];
    const pieces = deviceTarget(s.iommu, d.addr, d.len, s.params.pageSize);
    const write = s.params.dir !== 'DMA_TO_DEVICE';
    const descriptors = dev.descriptors.slice();
    descriptors[k] = { ...d, done: true };
    const finished = k === descriptors.length - 1;
    const frames = pfnsText(pieces.map((p) => p.pfn));
    const verb = write ? `writes ${d.len} bytes to` : `reads ${d.len} bytes from`;
    const narration = s.iommu.enabled
      ? `The device ${verb} IOVA ${hex(d.addr)} (descriptor ${k}); the IOMMU translates it to ${frames}.`
      : `The device ${verb} bus address ${hex(d.addr)} (descriptor ${k}), straight into ${frames}.`;
    const access = { command: s.driver.chunk, desc: k, addr: d.addr, len: d.len, phys: pieces, write };
    return {
      state: {
        ...s,
        device: {
          ...dev,
          descriptors,
          next: k + 1,
          running: !finished,
          irqPending: finished,
          bytesMoved: dev.bytesMoved + d.len,
          accesses: [...dev.accesses, access],
        },
      },
      narration,
      source: null,
      actor: 'device',
    };
  }
  // The list is done and the interrupt is pending.
  return {
    state: withDriver({ ...s, device: { ...dev, irqPending: false, commands: dev.commands + 1 } }, { phase: 'unmap' }),
    narration: 'The device raises its completion interrupt; the handler sets flag_dma_done and wakes the driver.',
    source: null,
    actor: 'device',
  };
}

function stepUnmap(s: DmaState): Outcome {
  const sgt = s.sgt!;
  const { params } = s;
  const orig = sgt.orig_nents;
  const count = s.driver.mappedCount as number;
  const passed = params.unmapNents === 'orig' ? orig : count;
  const r = dmaUnmapSg(sgt, passed, params.iommu.enabled ? s.iommu : null);
  const chunk = s.driver.chunk;
  const reports: DmaReport[] = [];
  if (r.report) reports.push({ ...r.report, chunk });
  for (const st of r.stale) {
    reports.push({
      kind: 'stale-iommu-mapping',
      chunk,
      message: `IOVA ${range(st.start, st.size)} is freed but still translated by the IOMMU`,
      entry: null,
      passed: null,
      orig_nents: null,
      unsyncedPfns: [],
    });
  }
  const iommuTail = r.unmapped ? `unmaps IOVA ${range(r.unmapped.start, r.unmapped.size)} and frees it` : '';
  const sgtable = params.api === 'dma_map_sgtable';
  let narration: string;
  let src: KernelSource = params.iommu.enabled ? SRC.iommuUnmap : SRC.directUnmap;
  if (params.unmapNents === 'orig') {
    const call = sgtable ? `dma_unmap_sgtable, which passes sgt->orig_nents (${orig})` : `dma_unmap_sg(dev, sgl, ${orig}, ${dirText(s)}) with the original nents`;
    const how = params.iommu.enabled
      ? `iommu_dma_unmap_sg hands ${allEntries(orig)} back to the CPU, ${iommuTail}`
      : `dma_direct_unmap_sg hands ${allEntries(orig)} back to the CPU`;
    narration = `The driver calls ${call}: ${how}.`;
    if (sgtable) src = SRC.unmapSgtable;
  } else {
    const what = sgtable ? `sgt->nents (${count}) instead of sgt->orig_nents (${orig})` : `the count dma_map_sg returned (${count})`;
    if (passed === orig) {
      narration = params.iommu.enabled
        ? `The driver passes dma_unmap_sg ${what}; nothing merged, so it equals the original nents and nothing goes wrong this time: iommu_dma_unmap_sg ${iommuTail}.`
        : `The driver passes dma_unmap_sg ${what}; dma-direct never merges, so it equals the original nents and the bug stays hidden: dma_direct_unmap_sg hands ${allEntries(orig)} back to the CPU.`;
    } else {
      const kept = entriesText(r.unsynced);
      const back = passed === 1 ? 'only entry 0' : `only entries 0–${passed - 1}`;
      const iommuPart = params.iommu.enabled ? `; it still finds the whole IOVA range from the DMA fields, ${iommuTail}` : '';
      narration =
        `The driver passes dma_unmap_sg ${what}, not the original nents (${orig}): dma-debug reports a different entry count, ` +
        `and ${params.iommu.enabled ? 'iommu_dma_unmap_sg' : 'dma_direct_unmap_sg'} hands ${back} back to the CPU, leaving ${kept} device-owned (stale cache lines on a non-coherent CPU)${iommuPart}.`;
    }
  }
  return {
    state: { ...withDriver({ ...s, sgt: r.sgt, iommu: r.iommu ?? s.iommu }, { phase: 'complete' }), reports: [...s.reports, ...reports] },
    narration,
    source: src,
    actor: 'driver',
  };
}

function stepComplete(s: DmaState): Outcome {
  const c = s.driver.chunks[s.driver.chunk];
  const transferred = s.driver.transferred + c.len;
  const more = s.driver.chunk + 1 < s.driver.chunks.length;
  const narration = `The driver frees the table with sg_free_table; ${transferred} of ${s.params.buffer.len} bytes transferred${more ? ', so the loop goes on' : ''}.`;
  return driverDone(
    { ...s, sgt: null, device: { ...s.device, descriptors: [], next: 0 } },
    { phase: more ? 'start-chunk' : 'return', transferred, cursor: 0, mappedCount: null, iova: null, pending: [] },
    narration,
    SRC.sgFree,
  );
}

function stepReturn(s: DmaState): Outcome {
  const n = s.driver.chunks.length;
  const found = s.reports.length ? ` (with ${plural(s.reports.length, 'dma-debug report', 'dma-debug reports')})` : '';
  const narration = `The loop is done: ${fmtBytes(s.driver.transferred)} moved in ${plural(n, 'command', 'commands')}${found}, and the ioctl returns 0; the caller can now unpin the pages.`;
  return driverDone({ ...s, device: { ...s.device, running: false } }, { phase: 'done', chunkBuffer: null }, narration, null);
}

function applyDriver(s: DmaState): Outcome {
  switch (s.driver.phase) {
    case 'start-chunk':
      return stepStartChunk(s);
    case 'sg-page':
      return stepSgPage(s);
    case 'map-direct':
      return stepMapDirect(s);
    case 'iova-alloc':
      return stepIovaAlloc(s);
    case 'iommu-map':
      return stepIommuMap(s);
    case 'finalise':
      return stepFinalise(s);
    case 'map-return':
      return stepMapReturn(s);
    case 'post':
      return stepPost(s);
    case 'doorbell':
      return stepDoorbell(s);
    case 'unmap':
      return stepUnmap(s);
    case 'complete':
      return stepComplete(s);
    case 'return':
      return stepReturn(s);
    case 'wait':
    case 'done':
      throw new Error(`dma model: the driver cannot run in phase ${s.driver.phase}`);
  }
}

// ---------------------------------------------------------------------------------------
// The model

function enabledChoices(s: DmaState): DmaChoice[] {
  if (s.driver.phase === 'done') return [];
  if (s.driver.phase === 'wait') return [{ kind: 'device' }];
  return [{ kind: 'driver' }];
}

function sameChoice(a: DmaChoice, b: DmaChoice): boolean {
  return a.kind === b.kind;
}

const PHASE_LABEL: Record<DriverPhase, string> = {
  'start-chunk': 'driver: take the next chunk',
  'sg-page': 'driver: add a page to the scatterlist',
  'map-direct': 'driver: dma-direct maps an entry',
  'iova-alloc': 'driver: allocate IOVA',
  'iommu-map': 'driver: IOMMU maps an entry',
  finalise: 'driver: __finalise_sg merges or splits',
  'map-return': 'driver: dma_map returns',
  post: 'driver: write a descriptor',
  doorbell: 'driver: start the device',
  wait: 'driver: asleep',
  unmap: 'driver: unmap',
  complete: 'driver: free the table',
  return: 'driver: return',
  done: 'driver: done',
};

function describeChoice(s: DmaState, c: DmaChoice): string {
  if (c.kind === 'driver') return PHASE_LABEL[s.driver.phase];
  return s.device.next < s.device.descriptors.length ? `device: carry out descriptor ${s.device.next}` : 'device: raise the completion interrupt';
}

/**
 * The scatter-gather / IOMMU model (id `'dma'`), implementing `Model` of `../core/model.ts`.
 *
 * - `initialState(params, seed)`: validates `params` (`validateParams`, throws `RangeError`)
 *   and builds the state before the driver's loop starts; the seed is unused (no randomness).
 * - `enabled(state)`: `[{kind: 'driver'}]` while the driver has work, `[{kind: 'device'}]` while
 *   it sleeps waiting for the device, `[]` once the ioctl has returned.
 * - `step(state, choice)`: pure; throws `Error` when `choice` is not enabled.
 * - `event(state)`: narration, kernel source (`{file, fn, version: '6.12'}` or null for the
 *   driver's own code and the device) and actor (`'driver'` or `'device'`).
 */
export const dmaModel: Model<DmaParams, DmaState, DmaChoice> = {
  id: 'dma',

  initialState(params: DmaParams, _seed: number): DmaState {
    validateParams(params);
    const p = cloneParams(params);
    return {
      params: p,
      stepIndex: 0,
      driver: {
        phase: 'start-chunk',
        chunks: splitTransfer(p.buffer.len, p.device.maxTransfer),
        chunk: -1,
        chunkBuffer: null,
        cursor: 0,
        mappedCount: null,
        iova: null,
        layout: null,
        finalise: null,
        pending: [],
        transferred: 0,
      },
      sgt: null,
      iommu: iommuInit(p.iommu.enabled ? p.iommu : { enabled: false, iovaBase: p.iommu.iovaBase, granule: p.iommu.granule }),
      device: { descriptors: [], next: 0, running: false, irqPending: false, commands: 0, bytesMoved: 0, accesses: [] },
      reports: [],
      event: null,
      lastChoice: null,
    };
  },

  enabled: enabledChoices,

  step(state: DmaState, choice: DmaChoice): DmaState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`dma model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    const r = choice.kind === 'driver' ? applyDriver(state) : stepDevice(state);
    const event: StepEvent = { narration: r.narration, source: r.source, actor: r.actor };
    return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice: { kind: choice.kind } };
  },

  event(state: DmaState): StepEvent | null {
    return state.event;
  },

  describeChoice,
  sameChoice,
};

/** The DMA segments of the current mapping as the device sees them (`sg_dma_address`,
 *  `sg_dma_len` of the first mapped-count entries), or `[]` when nothing is mapped. */
export function mappedSegments(s: DmaState): { entry: number; addr: number; len: number }[] {
  const n = s.driver.mappedCount;
  if (!s.sgt || n === null) return [];
  return s.sgt.sgl.slice(0, n).map((e, entry) => ({ entry, addr: e.dma_address as number, len: e.dma_length }));
}

/** `checkCoverage` for a finished (or partial) run: the device's accesses against the whole
 *  pinned buffer. */
export function runCoverage(s: DmaState): ReturnType<typeof checkCoverage> {
  return checkCoverage(s.params.buffer, s.params.pageSize, s.device.accesses);
}

/** Pages the whole buffer touches: `DIV_ROUND_UP(offset + len, pageSize)`. */
export function bufferPages(p: DmaParams): number {
  return pagesSpanned(p.buffer.offset, p.buffer.len, p.pageSize);
}
