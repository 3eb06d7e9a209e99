/**
 * Caches, coherence and buffer ownership: a CPU with a write-back data cache, RAM, and a device
 * that reads and writes RAM by DMA, driven by a driver routine that uses the streaming and
 * coherent DMA API of Linux 6.12. Three actors move: the CPU runs the routine one call (or one
 * load or store) a step; the device moves one cache line's worth of its transfer a step; the
 * cache evicts lines (and on arm64 the CPU fills lines speculatively) whenever the scheduler
 * says so, so the explorer can try every eviction order.
 *
 * What each call does, per platform (6.12):
 * - `dma_map_single` (kernel/dma/mapping.c `dma_map_page_attrs` -> kernel/dma/direct.h
 *   `dma_direct_map_page`): a buffer the device can reach is mapped at its own address; on a
 *   non-coherent device `arch_sync_dma_for_device` runs (unless DMA_ATTR_SKIP_CPU_SYNC). A
 *   buffer beyond the device's mask goes to swiotlb (`swiotlb_map` -> `swiotlb_tbl_map_single`),
 *   which copies the buffer into its bounce slots for EVERY direction (6.12 does so for
 *   DMA_FROM_DEVICE too, so a partial device write cannot leak the slot's old contents); with no
 *   swiotlb the map fails (DMA_MAPPING_ERROR).
 * - `dma_sync_single_for_device` (`dma_direct_sync_single_for_device`): swiotlb copies the buffer
 *   into the slots for TO_DEVICE/BIDIRECTIONAL; a non-coherent device gets
 *   `arch_sync_dma_for_device`.
 * - `dma_sync_single_for_cpu` (`dma_direct_sync_single_for_cpu`): a non-coherent device gets
 *   `arch_sync_dma_for_cpu`; swiotlb copies the slots back for FROM_DEVICE/BIDIRECTIONAL.
 * - `dma_unmap_single` (`dma_direct_unmap_page`): the `_for_cpu` sync unless
 *   DMA_ATTR_SKIP_CPU_SYNC, then the slots are released.
 * - the sg calls (kernel/dma/direct.c `dma_direct_map_sg`, `_unmap_sg`, `_sync_sg_for_*`): the
 *   same per entry; dma-direct returns `nents` unchanged (no IOMMU here, see `./mapping.ts` for
 *   merging behind one).
 * - `dma_alloc_coherent` (kernel/dma/direct.c `dma_direct_alloc`): on a non-coherent device the
 *   lines are cleaned (arm64 `arch_dma_prep_coherent`; 32-bit ARM's `__dma_clear_buffer` cleans
 *   and invalidates) and remapped uncached, so CPU
 *   loads and stores there go straight to RAM; on a coherent one it is ordinary cached memory
 *   the device snoops. Either way it is zeroed.
 * - On coherent platforms (`'coherent-x86'`, `'swiotlb'`) `dev_is_dma_coherent()` is true and no
 *   call does cache work; the device snoops: its reads see dirty lines, its writes invalidate
 *   the CPU's copies (`./cache.ts`).
 * The arch hooks, arm64 (arch/arm64/mm/dma-mapping.c, 6.12): for_device cleans for every
 * direction; for_cpu invalidates unless DMA_TO_DEVICE. ARM926 (arch/arm/mm/dma-mapping.c
 * `__dma_page_cpu_to_dev` / `__dma_page_dev_to_cpu` with proc-arm926.S): for_device cleans
 * (TO_DEVICE), invalidates (FROM_DEVICE) or both (BIDIRECTIONAL); for_cpu does nothing to the
 * cache (`arm926_dma_unmap_area` returns at once: ARMv5 does not speculate). The arch files are
 * not in the extracted 6.12 tree used here; they were read in mainline.
 *
 * Every call is also checked the way CONFIG_DMA_API_DEBUG checks it (`./debug.ts`), plus the
 * simulator's own ownership rules for CPU and device accesses; findings carry the step.
 *
 * Besides the real machine the state carries `ideal`: the same RAM on a machine with no cache
 * and no bounce buffers, where the device writes the driver's buffer itself, driven by the same
 * schedule. A CPU read (or a device read) is right when it returns what the ideal machine
 * would: `dataRight`.
 *
 * Where the model departs from the kernel (each also noted at the code):
 * 1. RAM is a few lines of a few bytes; swiotlb slots are one line (IO_TLB_SIZE is 2 KiB) and
 *    first fit, with no alignment offset; `dma_alloc_coherent` rounds to lines, not pages.
 * 2. The cache holds every line at once; only scheduler choices evict. Speculative fills are
 *    offered only for lines of buffers the device owns (elsewhere they change nothing a run
 *    can observe); the uncached alias of a coherent buffer is never filled.
 * 3. No IOMMU: bus address = physical address, `dma_map_sg` never merges.
 * 4. A sync or unmap that dma-debug cannot match to a live mapping does no cache or bounce
 *    work here (the kernel would act on whatever address it was given).
 * 5. Ownership is per mapping (per entry for sg): a partial sync hands the whole mapping over.
 *    The data check still catches the bytes a partial sync left stale.
 * 6. Each call is one step; the kernel's cache loops could interleave with evictions line by
 *    line, which changes no outcome here.
 * 7. The device moves at most one cache line a step; a transfer ends with its interrupt.
 */
import type { CohChoice, CoherenceParams, CoherenceState } from './coherence-types.ts';
import type { Invariant } from '../explore/explore.ts';
import type { Model, StepEvent } from '../core/model.ts';
import { applyCpu, type Said } from './coherence-cpu.ts';
import { applyDevice, applyEvict, applyFill, nextPiece } from './coherence-device.ts';
import { bytesText, callText, hex, rangeText } from './coherence-words.ts';
import { cloneParams, validateCoherenceParams } from './coherence-params.ts';
import { emptyCache, linesOf } from './cache.ts';
import { swiotlbInit } from './swiotlb.ts';
// The model's parts, re-exported: `./index.ts` and the tests import them from here.
export { DMA_MAPPING_ENOMEM, rangeText, bytesText, linesText, callText } from './coherence-words.ts';
export { isCoherent, coherenceParams, validateCoherenceParams, validateProgram } from './coherence-params.ts';
export type { CoherenceOptions } from './coherence-params.ts';


// ---------------------------------------------------------------------------------------
// The model

function cpuEnabled(s: CoherenceState): boolean {
  if (s.cpu.phase === 'done') return false;
  const op = s.params.program[s.cpu.pc];
  return !(op && op.op === 'wait' && s.device.op !== null);
}

/** Lines a speculative fill may target: invalid, cacheable, overlapping a live streaming
 *  mapping the device owns (on the CPU side). */
function fillable(s: CoherenceState): number[] {
  const out: number[] = [];
  const ls = s.mem.lineSize;
  for (const m of s.mappings) {
    if (m.unmapped || m.owner !== 'device' || m.type === 'coherent') continue;
    for (const n of linesOf(ls, m.cpu_addr, m.size)) if (!s.mem.cache[n].valid && !s.mem.uncached[n] && !out.includes(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

function enabledChoices(s: CoherenceState): CohChoice[] {
  const over = s.cpu.phase === 'done' && s.device.op === null;
  if (over) return [];
  const out: CohChoice[] = [];
  if (cpuEnabled(s)) out.push({ kind: 'cpu' });
  if (s.device.op !== null) out.push({ kind: 'device' });
  if (s.params.evictions) s.mem.cache.forEach((l, n) => l.valid && out.push({ kind: 'evict', line: n }));
  if (s.params.speculative) for (const n of fillable(s)) out.push({ kind: 'fill', line: n });
  return out;
}

function sameChoice(a: CohChoice, b: CohChoice): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'evict' || a.kind === 'fill') && (b.kind === 'evict' || b.kind === 'fill')) return a.line === b.line;
  return true;
}

function apply(s: CoherenceState, c: CohChoice): { state: CoherenceState; said: Said; actor: string } {
  switch (c.kind) {
    case 'cpu':
      return { ...applyCpu(s), actor: 'cpu' };
    case 'device':
      return { ...applyDevice(s), actor: 'device' };
    case 'evict':
      return { ...applyEvict(s, c.line), actor: 'cache' };
    case 'fill':
      return { ...applyFill(s, c.line), actor: 'cache' };
  }
}

function stepWith(state: CoherenceState, choice: CohChoice): CoherenceState {
  const r = apply(state, choice);
  const event: StepEvent = { narration: r.said.narration, source: r.said.source, actor: r.actor };
  const lastChoice: CohChoice = choice.kind === 'evict' || choice.kind === 'fill' ? { kind: choice.kind, line: choice.line } : { kind: choice.kind };
  return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice };
}

function describeChoice(s: CoherenceState, c: CohChoice): string {
  switch (c.kind) {
    case 'cpu': {
      const op = s.params.program[s.cpu.pc];
      return op ? `CPU: ${callText(op)}` : 'CPU: driver unbind (dma-debug leak check)';
    }
    case 'device': {
      const t = s.device.op;
      if (!t) return 'device: idle';
      const { bus, chunk } = nextPiece(t, s.mem.lineSize);
      return `device: ${t.dma === 'write' ? 'writes' : 'reads'} ${rangeText(bus, chunk)}`;
    }
    case 'evict': {
      const l = s.mem.cache[c.line];
      return `cache: evict line ${c.line}${l && l.valid ? (l.dirty ? ' (dirty: written back)' : ' (clean: dropped)') : ''}`;
    }
    case 'fill':
      return `CPU: speculative fill of line ${c.line}`;
  }
}

/** Builds the first state; throws `RangeError` on bad parameters (`validateCoherenceParams`). */
export function coherenceInitialState(params: CoherenceParams): CoherenceState {
  validateCoherenceParams(params);
  const p = cloneParams(params);
  const cache = emptyCache(p.ramLines, p.lineSize);
  const ideal = p.ram.slice();
  for (const l of p.initialCache) {
    const data = l.data ? l.data.slice() : p.ram.slice(l.line * p.lineSize, (l.line + 1) * p.lineSize);
    cache[l.line] = { addr: l.line * p.lineSize, valid: true, dirty: l.dirty, data };
    // The CPU's view of a dirty line is its cached copy.
    if (l.dirty) data.forEach((b, i) => (ideal[l.line * p.lineSize + i] = b));
  }
  return {
    params: p,
    stepIndex: 0,
    mem: { lineSize: p.lineSize, ram: p.ram.slice(), cache, uncached: Array.from({ length: p.ramLines }, () => false) },
    swiotlb: p.swiotlb ? swiotlbInit(p.swiotlb, p.lineSize) : null,
    mappings: [],
    sgTables: [],
    cpu: { pc: 0, phase: 'run', results: [], reads: [] },
    device: { op: null, irq: false, transfers: [] },
    ideal,
    findings: [],
    event: null,
    lastChoice: null,
  };
}

/**
 * The caches-and-ownership model (id `'dma-coherence'`), implementing `Model` of
 * `../core/model.ts`.
 * - `initialState(params, seed)`: validates (`RangeError`), the seed is unused.
 * - `enabled(state)`: `{kind: 'cpu'}` unless the routine is done or waiting for the device,
 *   `{kind: 'device'}` while a transfer is in flight, `{kind: 'evict', line}` for every valid
 *   line (if `evictions`), `{kind: 'fill', line}` where a speculative fill can matter (if
 *   `speculative`); `[]` once the driver is unbound and the device idle.
 * - `step(state, choice)`: pure; throws `Error` when `choice` is not enabled.
 * - `stepFast`: the same without the enabled check (for the explorer).
 * - `event(state)`: narration, kernel source (6.12; null for loads, stores, the device and
 *   the cache) and actor ('cpu', 'device' or 'cache').
 */
export const coherenceModel: Model<CoherenceParams, CoherenceState, CohChoice> = {
  id: 'dma-coherence',
  initialState(params: CoherenceParams, _seed: number): CoherenceState {
    return coherenceInitialState(params);
  },
  enabled: enabledChoices,
  step(state: CoherenceState, choice: CohChoice): CoherenceState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`dma-coherence model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    return stepWith(state, choice);
  },
  stepFast: stepWith,
  event(state: CoherenceState): StepEvent | null {
    return state.event;
  },
  describeChoice,
  sameChoice,
};

// ---------------------------------------------------------------------------------------
// Properties, for the explorer and the grader

/** Canonical key for the explorer: everything that decides the future and the verdicts
 *  (finding steps and narration left out). */
export function coherenceKey(s: CoherenceState): string {
  return JSON.stringify([
    s.mem.ram,
    s.mem.cache.map((l) => (l.valid ? [l.dirty ? 1 : 0, l.data] : 0)),
    s.mem.uncached,
    s.swiotlb?.slots ?? null,
    s.mappings.map((m) => [m.handle, m.size, m.owner, m.unmapped, m.mapErrorChecked]),
    s.sgTables.map((t) => t.entries.map((e) => [e.mapped, e.owner, e.dma_address])),
    s.cpu.pc,
    s.cpu.phase,
    s.cpu.reads.map((r) => [r.bytes, r.ideal]),
    s.device.op ? [s.device.op.done, s.device.op.data.length, s.device.op.data, s.device.op.ideal] : null,
    s.device.irq,
    s.device.transfers.map((t) => (t.dma === 'read' ? [t.data, t.ideal] : t.len)),
    s.ideal,
    s.findings.map((f) => `${f.rule}@${f.pc}`),
  ]);
}

/** The actor of a choice, for the explorer's preemption counting: 'cpu', 'device' or 'cache'. */
export function coherenceActor(c: CohChoice): string {
  return c.kind === 'evict' || c.kind === 'fill' ? 'cache' : c.kind;
}

/** The first CPU read or device read whose bytes differ from the ideal machine's, described;
 *  null when all agree. */
export function firstWrongData(s: CoherenceState): string | null {
  for (const r of s.cpu.reads) {
    if (r.bytes.some((b, i) => b !== r.ideal[i])) {
      return `program[${r.pc}] (readBuffer(${hex(r.addr)}, ${r.bytes.length})) got ${bytesText(r.bytes)}, but a machine without caches or bounce buffers would give ${bytesText(r.ideal)}`;
    }
  }
  for (const t of s.device.transfers) {
    if (t.dma === 'read' && t.data.some((b, i) => b !== t.ideal[i])) {
      return `the device sent ${bytesText(t.data)} (started at program[${t.pc}]), but the driver's buffer held ${bytesText(t.ideal)}`;
    }
  }
  return null;
}

/** Final-state property: every read returned what the ideal machine would. */
export const dataRight: Invariant<CoherenceState> = { name: 'data right', check: firstWrongData };

/** Final-state property: the DMA-API checker found nothing. */
export const checkerSilent: Invariant<CoherenceState> = {
  name: 'DMA-API checker silent',
  check(s) {
    const f = s.findings[0];
    return f ? `${f.call}: ${f.message}` : null;
  },
};

/** Both: the data is right and the checker is silent (data first). */
export const dmaCorrect: Invariant<CoherenceState> = {
  name: 'data right and DMA-API checker silent',
  check(s) {
    return firstWrongData(s) ?? checkerSilent.check(s);
  },
};
