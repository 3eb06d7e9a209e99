/**
 * Words and small derived facts for the scatter-gather / IOMMU model's state (`sims/dma`):
 * hex addresses, entry colours, the current command, what the driver and the device are
 * doing, the `nents` / `orig_nents` / mapped-count triple, and at which step each dma-debug
 * report appeared. Pure functions with no DOM: the server-rendered HTML, the custom element
 * and the d3 views all say the same thing in the same words.
 */
import { hex } from '../../../sims/core/text.ts';
import type { StepEvent } from '../../../sims/core/model.ts';
import type { DmaParams, DmaReport, DmaState, SgEntry, TransferChunk } from '../../../sims/dma/index.ts';
import { seriesColor } from '../../scene/palette.ts';

export { hex };

/** `1 byte`, `3532 bytes`, `8 KiB`: a byte count in words (exact, no rounding). */
export function bytesText(n: number): string {
  if (n === 1) return '1 byte';
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** The CSS colour of sg entry `i`: the series palette's (`--w0..--w3`, cycling, with fallbacks). */
export function entryColor(i: number): string {
  return seriesColor(i);
}

/** `sg[2]`: how the views label sg entry `i`. */
export function entryLabel(i: number): string {
  return `sg[${i}]`;
}

/** `drivers/iommu/dma-iommu.c · __finalise_sg() · Linux 6.12`, or null for the driver's own
 *  code and the device (steps with no kernel source). */
export function sourceText(event: StepEvent | null): string | null {
  if (!event || !event.source) return null;
  const { file, fn, version } = event.source;
  return `${file} · ${fn}() · Linux ${version}`;
}

/** `3532-byte`, `8 KiB`: a byte count used as an adjective. */
export function sizeAdj(n: number): string {
  const t = bytesText(n);
  return t.endsWith('bytes') || t === '1 byte' ? `${n}-byte` : t;
}

/** The narration of the step into `state`, or a sentence for the initial state. */
export function narrationOf(state: DmaState): string {
  if (state.event) return state.event.narration;
  const p = state.params;
  const pages = p.buffer.pfns.length;
  const path = p.iommu.enabled ? 'behind an IOMMU' : 'with no IOMMU (dma-direct)';
  const chunks = state.driver.chunks.length;
  const loop = chunks > 1 ? ` in ${chunks} commands of at most ${bytesText(p.device.maxTransfer)}` : '';
  return `Start: the driver holds a pinned ${sizeAdj(p.buffer.len)} buffer on ${pages} ${pages === 1 ? 'page' : 'pages'} and will move it to the device ${path}${loop}.`;
}

/** Where the buffer's page `i` (0-based, in buffer order) holds buffer bytes: `[from, to)`
 *  within the page, and the index in the buffer of the first of them. */
export function pageSpan(p: DmaParams, i: number): { from: number; to: number; bufferStart: number } {
  const ps = p.pageSize;
  const first = i === 0 ? p.buffer.offset : 0;
  const end = Math.min(ps, p.buffer.offset + p.buffer.len - i * ps);
  return { from: first, to: end, bufferStart: i * ps + first - p.buffer.offset };
}

/** The current command (chunk) of the driver's loop, with the pages of the whole buffer it
 *  touches (`firstPage .. lastPage`, indexes into `params.buffer.pfns`); null before the first
 *  chunk and after the ioctl has returned. */
export function currentChunk(state: DmaState): (TransferChunk & { index: number; count: number; firstPage: number; lastPage: number }) | null {
  const d = state.driver;
  if (d.chunk < 0 || d.phase === 'done') return null;
  const c = d.chunks[d.chunk];
  const { offset } = state.params.buffer;
  const ps = state.params.pageSize;
  return {
    ...c,
    index: d.chunk,
    count: d.chunks.length,
    firstPage: Math.floor((offset + c.start) / ps),
    lastPage: Math.floor((offset + c.start + c.len - 1) / ps),
  };
}

/** `command 2 of 3`, or `before the loop (3 commands)` / `done after 3 commands`. */
export function chunkText(state: DmaState): string {
  const d = state.driver;
  if (d.phase === 'done') return `done after ${d.chunks.length === 1 ? 'one command' : `${d.chunks.length} commands`}`;
  if (d.chunk < 0) return `before the loop (${d.chunks.length === 1 ? 'one command' : `${d.chunks.length} commands`})`;
  return `command ${d.chunk + 1} of ${d.chunks.length}`;
}

/** Bytes the device has moved in the current command so far (descriptors done). */
export function commandBytesDone(state: DmaState): number {
  return state.device.descriptors.reduce((n, d) => n + (d.done ? d.len : 0), 0);
}

/** The driver's phase in plain words. */
export function driverWords(state: DmaState): string {
  const d = state.driver;
  switch (d.phase) {
    case 'start-chunk':
      return d.chunk < 0 ? 'about to take the first chunk' : 'about to take the next chunk';
    case 'sg-page':
      return `building the scatterlist: page ${d.cursor} of the chunk next`;
    case 'map-direct':
      return `dma_direct_map_sg: entry ${d.cursor} next`;
    case 'iova-alloc':
      return 'iommu_dma_map_sg: about to allocate IOVA';
    case 'iommu-map':
      return `iommu_map_sg: entry ${d.cursor} next`;
    case 'finalise':
      return `__finalise_sg: entry ${d.cursor} next`;
    case 'map-return':
      return `${state.params.api} about to return`;
    case 'post':
      return `writing descriptor ${d.cursor} of ${d.pending.length}`;
    case 'doorbell':
      return 'about to start the device';
    case 'wait':
      return 'asleep until the completion interrupt';
    case 'unmap':
      return 'woken: about to unmap';
    case 'complete':
      return 'about to free the table';
    case 'return':
      return 'about to return from the ioctl';
    case 'done':
      return 'returned from the ioctl';
  }
}

/** The device's state in plain words. */
export function deviceWords(state: DmaState): string {
  const dev = state.device;
  if (dev.irqPending) return 'finished the list: completion interrupt pending';
  if (dev.running) return `running: descriptor ${dev.next} of ${dev.descriptors.length} next`;
  if (dev.descriptors.length > 0) return `idle, ${dev.descriptors.length === 1 ? '1 descriptor' : `${dev.descriptors.length} descriptors`} posted`;
  return 'idle';
}

/** The three counts the lesson is about, for the current table: `orig_nents` (CPU entries),
 *  `sgt->nents` (entries built; after `dma_map_sgtable`, the DMA segments) and the mapped count
 *  `dma_map_sg` returned (null before it returns). Null when no table exists. */
export function nentsOf(state: DmaState): { orig: number; nents: number; mapped: number | null; api: DmaParams['api'] } | null {
  if (!state.sgt) return null;
  return { orig: state.sgt.orig_nents, nents: state.sgt.nents, mapped: state.driver.mappedCount, api: state.params.api };
}

/** `dma_map_sg returned` or `dma_map_sgtable set sgt->nents to`: how the mapped count got to
 *  the driver with this API. */
export function mappedCountSource(api: DmaParams['api']): string {
  return api === 'dma_map_sg' ? 'the value dma_map_sg returned' : 'sgt->nents after dma_map_sgtable';
}

/** The note under the scatterlist once fewer DMA segments than entries came back. */
export function mappedNote(mapped: number, orig: number, api: DmaParams['api']): string {
  const unmap = api === 'dma_map_sg' ? 'dma_unmap_sg still takes orig_nents' : 'dma_unmap_sgtable still passes orig_nents';
  return `Only the first ${mapped} (${mappedCountSource(api)}) ${mapped === 1 ? 'is' : 'are'} valid for the device; ${unmap} (${orig}).`;
}

/** The state of entry `i` of the current table for the device: `mapped` (holds DMA segment
 *  `i`), `beyond` (at or after the mapped count: not for the device), or `unmapped` (mapping has
 *  not returned yet). */
export function entryDmaStatus(state: DmaState, i: number): 'mapped' | 'beyond' | 'unmapped' {
  const n = state.driver.mappedCount;
  if (n === null) return state.sgt?.sgl[i]?.dma_address != null ? 'mapped' : 'unmapped';
  return i < n ? 'mapped' : 'beyond';
}

/** The physical byte range `[start, end)` entry `e` covers. */
export function entryPhysRange(e: Pick<SgEntry, 'pfn' | 'offset' | 'length'>, pageSize: number): { start: number; end: number } {
  const start = e.pfn * pageSize + e.offset;
  return { start, end: start + e.length };
}

/** For each dma-debug report of the last state, the index of the state whose step raised it
 *  (the first state in which the report list had grown past it). `states` is the timeline,
 *  initial state first. */
export function reportSteps(states: readonly DmaState[]): number[] {
  const last = states[states.length - 1];
  if (!last) return [];
  const out: number[] = [];
  let k = 0;
  for (let r = 0; r < last.reports.length; r++) {
    while (k < states.length && states[k].reports.length <= r) k++;
    out.push(k < states.length ? k : states.length - 1);
  }
  return out;
}

/** The reports the step into `states[index]` raised (empty for most steps). */
export function reportsAt(states: readonly DmaState[], index: number): DmaReport[] {
  const s = states[index];
  if (!s) return [];
  const before = index > 0 ? states[index - 1].reports.length : 0;
  return s.reports.slice(before);
}

/** `pfns 0x3c0, 0x2f7 and 0x512`: a list of frames in words (no dedup, buffer order). */
export function pfnList(pfns: readonly number[]): string {
  const h = [...new Set(pfns)].map(hex);
  if (h.length === 0) return 'no frames';
  if (h.length === 1) return `pfn ${h[0]}`;
  return `pfns ${h.slice(0, -1).join(', ')} and ${h[h.length - 1]}`;
}

/** What a report means for the learner, after dma-debug's own words. */
export function reportConsequence(r: DmaReport): string {
  switch (r.kind) {
    case 'unmap-count': {
      const passed = r.passed ?? 0;
      const kept = r.unsyncedPfns.length ? `: ${pfnList(r.unsyncedPfns)} stay device-owned, never synced for the CPU (stale cache lines on a non-coherent CPU)` : '';
      return `dma_unmap_sg got ${passed}, not orig_nents (${r.orig_nents ?? '?'}); only the first ${passed === 1 ? 'entry was' : `${passed} entries were`} handed back to the CPU${kept}.`;
    }
    case 'segment-too-long':
      return `Entry ${r.entry ?? '?'} is longer than the device's max_seg_size: build the table with dma_get_max_seg_size(dev).`;
    case 'segment-boundary':
      return `Entry ${r.entry ?? '?'} crosses the device's segment boundary.`;
    case 'stale-iommu-mapping':
      return 'The IOMMU still translates a freed IOVA range: the device could still reach those frames.';
  }
}

/** The distinct frames to draw for a run, in pfn order: every frame of the buffer, and any
 *  other frame the IOMMU mapped at some step (segment-boundary padding maps the memory after
 *  an entry). Stable across the run, so the views keep their size while stepping. */
export function runFrames(states: readonly DmaState[]): number[] {
  const set = new Set<number>();
  const first = states[0];
  if (!first) return [];
  for (const p of first.params.buffer.pfns) set.add(p);
  const ps = first.params.pageSize;
  for (const s of states) {
    for (const m of s.iommu.mappings) {
      for (let a = Math.floor(m.phys / ps); a * ps < m.phys + m.size; a++) set.add(a);
    }
  }
  return [...set].sort((a, b) => a - b);
}

/** Runs of consecutive frames in a sorted list: `[[0x1a3, 0x1a4], [0x2f7]]`. */
export function frameRuns(sorted: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const p of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] + 1 === p) last.push(p);
    else runs.push([p]);
  }
  return runs;
}

/** Who owns frame `pfn` in the current table: the owner of the first entry covering it, or
 *  null when no entry of the current table covers it. */
export function frameOwner(state: DmaState, pfn: number): 'cpu' | 'device' | null {
  const sgt = state.sgt;
  if (!sgt) return null;
  for (const e of sgt.sgl) if (pfn >= e.pfn && pfn < e.pfn + e.npages) return e.owner;
  return null;
}

/** Frames dma-debug reported as never handed back to the CPU (unmapped with a wrong count)
 *  that no later table has handed back since: on a non-coherent CPU their cache lines may be
 *  stale. They stay marked after `sg_free_table`, because freeing the table syncs nothing. */
export function staleFrames(state: DmaState): Set<number> {
  const out = new Set<number>();
  for (const r of state.reports) {
    if (r.kind !== 'unmap-count') continue;
    for (const pfn of r.unsyncedPfns) if (frameOwner(state, pfn) !== 'cpu') out.add(pfn);
  }
  return out;
}

/** The summary line under the heading: page size, buffer, IOMMU, limits, API. */
export function paramsSummary(p: DmaParams): string[] {
  const parts = [
    `${sizeAdj(p.buffer.len)} buffer on ${p.buffer.pfns.length} ${p.buffer.pfns.length === 1 ? 'page' : 'pages'} of ${bytesText(p.pageSize)}, starting ${hex(p.buffer.offset)} into the first`,
    p.iommu.enabled ? `IOMMU: IOVA from ${hex(p.iommu.iovaBase)}, ${bytesText(p.iommu.granule)} granules` : 'no IOMMU (dma-direct)',
    `max_seg_size ${bytesText(p.maxSegSize)}`,
  ];
  if (p.sgMaxSegment !== null) parts.push(`sg max_segment ${bytesText(p.sgMaxSegment)}`);
  if (p.segBoundaryMask !== null) parts.push(`segment boundary ${bytesText(p.segBoundaryMask + 1)}`);
  parts.push(`descriptors ≤ ${bytesText(p.device.maxDescLen)}`, `commands ≤ ${bytesText(p.device.maxTransfer)}`, p.api, p.dir);
  if (p.unmapNents === 'mapped') parts.push('unmaps with the mapped count (bug)');
  return parts;
}
