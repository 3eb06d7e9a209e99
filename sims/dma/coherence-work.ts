/**
 * The coherence model's working copy of a state (one step mutates it, then freezes it), and
 * the cache maintenance and swiotlb bouncing the DMA API does (arch_sync_dma_for_device /
 * _for_cpu, swiotlb_bounce), shared by the CPU's operations. Part of the coherence model
 * (`coherence.ts`).
 */
import type { CohSgTable, CoherenceState, DmaMapping, Finding, Memory, OpResult } from './coherence-types.ts';
import { DEBUG_RULES, DMA_MAPPING_ERROR, type RawFinding } from './debug.ts';
import type { DmaDirection } from './types.ts';
import type { KernelSource } from '../core/model.ts';
import { cleanRange, cpuRead, cpuWrite, flushRange, invalidateRange, linesOf, type LineReport } from './cache.ts';
import { SRC, hex, isAre, linesText, rangeText, wasWere } from './coherence-words.ts';
import { isCoherent } from './coherence-params.ts';
import { isSwiotlbBuffer, swiotlbAlloc, swiotlbOrig, swiotlbRelease } from './swiotlb.ts';
// ---------------------------------------------------------------------------------------
// Working copy

/** A step's working copy: top-level arrays copied, elements replaced, never mutated. */
export interface Work {
  s: CoherenceState;
  mem: Memory;
  swiotlb: CoherenceState['swiotlb'];
  mappings: DmaMapping[];
  sgTables: CohSgTable[];
  results: OpResult[];
  reads: CoherenceState['cpu']['reads'];
  device: CoherenceState['device'];
  ideal: number[];
  idealCopied: boolean;
  findings: Finding[];
  /** stepIndex the step will have (findings point at it). */
  step: number;
}

export function work(s: CoherenceState): Work {
  return {
    s,
    mem: s.mem,
    swiotlb: s.swiotlb,
    mappings: s.mappings.slice(),
    sgTables: s.sgTables.slice(),
    results: s.cpu.results,
    reads: s.cpu.reads,
    device: s.device,
    ideal: s.ideal,
    idealCopied: false,
    findings: s.findings,
    step: s.stepIndex + 1,
  };
}

export function idealWrite(w: Work, addr: number, bytes: readonly number[]): void {
  if (!w.idealCopied) {
    w.ideal = w.ideal.slice();
    w.idealCopied = true;
  }
  bytes.forEach((b, i) => {
    if (addr + i < w.ideal.length) w.ideal[addr + i] = b;
  });
}

export function report(w: Work, raw: readonly RawFinding[], pc: number, call: string): void {
  if (raw.length === 0) return;
  const out = w.findings.slice();
  for (const r of raw) {
    if (out.some((f) => f.step === w.step && f.rule === r.rule && f.pc === pc)) continue;
    out.push({ ...r, step: w.step, pc, call });
  }
  w.findings = out;
}

export function finish(w: Work, pcNext: number, phase: 'run' | 'done'): CoherenceState {
  const s = w.s;
  return {
    ...s,
    mem: w.mem,
    swiotlb: w.swiotlb,
    mappings: w.mappings,
    sgTables: w.sgTables,
    cpu: { pc: pcNext, phase, results: w.results, reads: w.reads },
    device: w.device,
    ideal: w.ideal,
    findings: w.findings,
  };
}

export function setResult(w: Work, pc: number, r: OpResult): void {
  const results = w.results.slice();
  results[pc] = r;
  w.results = results;
}

// ---------------------------------------------------------------------------------------
// Cache maintenance and bouncing

/** `arch_sync_dma_for_device(paddr, size, dir)` on the non-coherent CPU; returns words. */
function archSyncForDevice(w: Work, addr: number, size: number, dir: DmaDirection): string {
  const arch = w.s.params.arch;
  const lines = linesOf(w.mem.lineSize, addr, size);
  if (arch === 'arm64' || dir === 'DMA_TO_DEVICE') {
    const r = cleanRange(w.mem, addr, size);
    w.mem = r.mem;
    const who = arch === 'arm64' ? 'arch_sync_dma_for_device' : 'arm926_dma_map_area';
    const stay = lines.filter((n) => w.mem.cache[n].valid);
    const what = r.report.written.length
      ? `${who} cleans ${linesText(lines)}: ${linesText(r.report.written)} ${wasWere(r.report.written)} dirty and ${isAre(r.report.written)} written back to RAM`
      : `${who} cleans ${linesText(lines)}: nothing was dirty`;
    const kept = stay.length && dir !== 'DMA_TO_DEVICE' ? ` (arm64 cleans for every direction; the clean copies of ${linesText(stay)} stay in the cache)` : '';
    return what + kept;
  }
  if (dir === 'DMA_FROM_DEVICE') {
    const r = invalidateRange(w.mem, addr, size);
    w.mem = r.mem;
    return `arm926_dma_map_area invalidates ${linesText(lines)}${droppedWords(r.report, true)}`;
  }
  const r = flushRange(w.mem, addr, size);
  w.mem = r.mem;
  return `arm926_dma_map_area cleans and invalidates ${linesText(lines)}${droppedWords(r.report)}`;
}

function droppedWords(r: LineReport, partial = false): string {
  const parts: string[] = [];
  if (r.written.length) parts.push(partial ? `partial ${linesText(r.written)} (shared with bytes outside the buffer) written back first` : `${linesText(r.written)} written back first`);
  if (r.dropped.length) parts.push(`${linesText(r.dropped)} dropped`);
  return parts.length ? `: ${parts.join(', ')}` : ': none was cached';
}

/** `arch_sync_dma_for_cpu(paddr, size, dir)` on the non-coherent CPU; returns words. */
function archSyncForCpu(w: Work, addr: number, size: number, dir: DmaDirection): string {
  const lines = linesOf(w.mem.lineSize, addr, size);
  if (w.s.params.arch === 'arm926') return `arm926_dma_unmap_area does nothing to the cache (an ARMv5 core never fills lines speculatively)`;
  if (dir === 'DMA_TO_DEVICE') return 'arch_sync_dma_for_cpu does nothing for DMA_TO_DEVICE';
  const r = invalidateRange(w.mem, addr, size);
  w.mem = r.mem;
  const next = r.report.dropped.length ? ', so the next loads read RAM' : '';
  return `arch_sync_dma_for_cpu invalidates ${linesText(lines)}${droppedWords(r.report, true)}${next}`;
}

/** `swiotlb_bounce(dev, tlb_addr, size, dir)`: a CPU memcpy between the slot and the original
 *  buffer, through the cache; clamps to the mapping ("Buffer overflow detected"). Returns the
 *  bytes copied and where, or null when the slot is free (the kernel's bounce returns). */
export function bounce(w: Work, tlb: number, size: number, toBounce: boolean): { orig: number; len: number } | null {
  const o = w.swiotlb ? swiotlbOrig(w.swiotlb, tlb) : null;
  if (!o) return null;
  const len = Math.min(size, o.left);
  if (toBounce) {
    const r = cpuRead(w.mem, o.orig, len);
    w.mem = cpuWrite(r.mem, tlb, r.bytes).mem;
  } else {
    const r = cpuRead(w.mem, tlb, len);
    w.mem = cpuWrite(r.mem, o.orig, r.bytes).mem;
  }
  return { orig: o.orig, len };
}

/** The `_for_cpu` half of a sync or unmap at bus address `handle`; returns words. */
export function syncForCpuWork(w: Work, handle: number, size: number, dir: DmaDirection): string {
  if (isSwiotlbBuffer(w.swiotlb, handle)) {
    if (dir === 'DMA_TO_DEVICE') return 'swiotlb copies nothing back for DMA_TO_DEVICE';
    const b = bounce(w, handle, size, false);
    return b ? `swiotlb copies ${b.len} bytes from slot ${rangeText(handle, b.len)} back to ${rangeText(b.orig, b.len)}` : 'the slot is free: nothing to copy';
  }
  if (isCoherent(w.s.params.platform)) return 'the device is coherent: no cache work';
  return archSyncForCpu(w, handle, Math.min(size, w.mem.ram.length - handle), dir);
}

/** The `_for_device` half of a sync at bus address `handle`; returns words. */
export function syncForDeviceWork(w: Work, handle: number, size: number, dir: DmaDirection): string {
  if (isSwiotlbBuffer(w.swiotlb, handle)) {
    if (dir === 'DMA_FROM_DEVICE') return 'swiotlb copies nothing for DMA_FROM_DEVICE (the device will overwrite the slot)';
    const b = bounce(w, handle, size, true);
    return b ? `swiotlb copies ${b.len} bytes from ${rangeText(b.orig, b.len)} into slot ${rangeText(handle, b.len)}` : 'the slot is free: nothing to copy';
  }
  if (isCoherent(w.s.params.platform)) return 'the device is coherent: no cache work';
  return archSyncForDevice(w, handle, Math.min(size, w.mem.ram.length - handle), dir);
}

/** Maps one buffer for the device as `dma_direct_map_page` does. */
export function mapOne(w: Work, cpu_addr: number, size: number, dir: DmaDirection, skip: boolean): { handle: number; bounce: boolean; words: string; source: KernelSource } {
  const p = w.s.params;
  if (cpu_addr + size > p.dmaLimit) {
    if (!w.swiotlb) {
      return { handle: DMA_MAPPING_ERROR, bounce: false, words: `the device can only reach ${rangeText(0, p.dmaLimit)} and there is no swiotlb to bounce through ("DMA addr overflow")`, source: SRC.mapPage };
    }
    const a = swiotlbAlloc(w.swiotlb, cpu_addr, size);
    if (!a) return { handle: DMA_MAPPING_ERROR, bounce: false, words: 'swiotlb buffer is full', source: SRC.tblMap };
    w.swiotlb = a.sw;
    bounce(w, a.tlb_addr, size, true);
    return {
      handle: a.tlb_addr,
      bounce: true,
      words: `the device can only reach ${rangeText(0, p.dmaLimit)}, so swiotlb_tbl_map_single takes slot ${rangeText(a.tlb_addr, size)} and copies the ${size} bytes at ${hex(cpu_addr)} into it (6.12 copies for every direction)`,
      source: SRC.tblMap,
    };
  }
  if (isCoherent(p.platform)) return { handle: cpu_addr, bounce: false, words: 'the device is coherent (dev_is_dma_coherent), so no cache work is needed', source: SRC.mapPage };
  if (skip) return { handle: cpu_addr, bounce: false, words: 'DMA_ATTR_SKIP_CPU_SYNC skips the cache maintenance', source: SRC.mapPage };
  return { handle: cpu_addr, bounce: false, words: archSyncForDevice(w, cpu_addr, size, dir), source: SRC.mapPage };
}

/** Undoes `mapOne` without syncing (the error path of `dma_direct_map_sg`). */
export function unmapQuiet(w: Work, handle: number): void {
  if (w.swiotlb && isSwiotlbBuffer(w.swiotlb, handle)) w.swiotlb = swiotlbRelease(w.swiotlb, handle);
}

export function newMapping(w: Work, m: Omit<DmaMapping, 'id'>): void {
  w.mappings.push({ ...m, id: w.mappings.length });
}

export function setMapping(w: Work, i: number, patch: Partial<DmaMapping>): void {
  w.mappings[i] = { ...w.mappings[i], ...patch };
}

/** " — the checker flags it: size, direction" (empty when nothing new was found at this step). */
export function flagged(w: Work, before: number): string {
  const fresh = w.findings.slice(before);
  if (fresh.length === 0) return '';
  return ` — the checker flags it: ${[...new Set(fresh.map((f) => DEBUG_RULES[f.rule].title))].join('; ')}`;
}
