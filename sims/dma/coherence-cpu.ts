/**
 * The CPU's operations in the coherence model: one call of the driver's program per step
 * (dma_map_single / _sg, the syncs, unmap, dma_alloc_coherent, loads and stores, starting the
 * device and waiting), each checked as dma-debug does. Part of the coherence model (`coherence.ts`).
 */
import type { CoherenceState, CpuOp } from './coherence-types.ts';
import { DMA_MAPPING_ENOMEM, SRC, bytesText, callText, handleText, hex, isAre, linesText, rangeText, segsLen, segsText } from './coherence-words.ts';
import { DMA_MAPPING_ERROR, checkCpuAccess, checkLeaks, checkSync, checkUnmap, findContaining, findExact, markMapErrorChecked, type DebugRef } from './debug.ts';
import type { DmaDirection } from './types.ts';
import type { KernelSource } from '../core/model.ts';
import { finish, flagged, idealWrite, mapOne, newMapping, report, setMapping, setResult, syncForCpuWork, syncForDeviceWork, unmapQuiet, work, type Work } from './coherence-work.ts';
import { cleanRange, cpuRead, cpuWrite, flushRange, linesOf } from './cache.ts';
import { isCoherent } from './coherence-params.ts';
import { isSwiotlbBuffer, swiotlbRelease } from './swiotlb.ts';
// ---------------------------------------------------------------------------------------
// The CPU's operations

export interface Said {
  narration: string;
  source: KernelSource | null;
}

function opMapSingle(w: Work, op: Extract<CpuOp, { op: 'dma_map_single' }>, pc: number): Said {
  const m = mapOne(w, op.cpu_addr, op.size, op.dir, !!op.skipCpuSync);
  setResult(w, pc, { kind: 'handle', handle: m.handle });
  if (m.handle === DMA_MAPPING_ERROR) return { narration: `${callText(op)} returns DMA_MAPPING_ERROR: ${m.words}.`, source: m.source };
  newMapping(w, { type: 'single', handle: m.handle, cpu_addr: op.cpu_addr, size: op.size, dir: op.dir, owner: 'device', unmapped: false, bounce: m.bounce, mapErrorChecked: false, sg: null, pc });
  const own = m.bounce ? 'it' : 'the buffer';
  return { narration: `${callText(op)} returns ${hex(m.handle)}: ${m.words}; ${own} now belongs to the device.`, source: m.source };
}

function opMappingError(w: Work, op: Extract<CpuOp, { op: 'dma_mapping_error' }>, pc: number): Said {
  const bad = op.handle === DMA_MAPPING_ERROR;
  const i = markMapErrorChecked(w.mappings, op.handle);
  if (i !== null) setMapping(w, i, { mapErrorChecked: true });
  setResult(w, pc, { kind: 'int', value: bad ? DMA_MAPPING_ENOMEM : 0 });
  return {
    narration: bad ? `${callText(op)} returns -ENOMEM: the mapping failed and the driver must not use it.` : `${callText(op)} returns 0: the mapping is good (dma-debug notes that it was checked).`,
    source: SRC.mappingError,
  };
}

function opUnmapSingle(w: Work, op: Extract<CpuOp, { op: 'dma_unmap_single' }>, pc: number): Said {
  const before = w.findings.length;
  const r = checkUnmap(w.mappings, { type: 'single', handle: op.handle, size: op.size, dir: op.dir, sg_call_ents: 0 });
  report(w, r.findings, pc, callText(op));
  setResult(w, pc, { kind: 'none' });
  if (r.entry === null) {
    return { narration: `${callText(op)}: dma-debug finds no live mapping at ${handleText(op.handle)}, and the model does no cache work${flagged(w, before)}.`, source: SRC.unmapPage };
  }
  const m = w.mappings[r.entry];
  const words = op.skipCpuSync ? 'DMA_ATTR_SKIP_CPU_SYNC skips the sync for the CPU' : syncForCpuWork(w, op.handle, op.size, op.dir);
  let tail = '';
  if (m.bounce && w.swiotlb) {
    w.swiotlb = swiotlbRelease(w.swiotlb, op.handle);
    tail = ' and the slot is released';
  }
  setMapping(w, r.entry, { unmapped: true, owner: 'cpu' });
  const what = m.bounce ? `${words}${tail}` : words;
  return { narration: `${callText(op)}: ${what}; the buffer belongs to the CPU again${flagged(w, before)}.`, source: m.bounce ? SRC.tblUnmap : SRC.unmapPage };
}

function opSyncSingle(w: Work, op: Extract<CpuOp, { op: 'dma_sync_single_for_cpu' | 'dma_sync_single_for_device' }>, pc: number): Said {
  const toCpu = op.op === 'dma_sync_single_for_cpu';
  const before = w.findings.length;
  const r = checkSync(w.mappings, { type: 'single', handle: op.handle, size: op.size, dir: op.dir, sg_call_ents: 0 }, toCpu);
  report(w, r.findings, pc, callText(op));
  setResult(w, pc, { kind: 'none' });
  if (r.entry === null) {
    return { narration: `${callText(op)}: dma-debug finds no live mapping holding ${rangeText(op.handle, op.size)}, and the model does no cache work${flagged(w, before)}.`, source: toCpu ? SRC.syncCpu : SRC.syncDev };
  }
  const m = w.mappings[r.entry];
  const words = toCpu ? syncForCpuWork(w, op.handle, op.size, op.dir) : syncForDeviceWork(w, op.handle, op.size, op.dir);
  setMapping(w, r.entry, { owner: toCpu ? 'cpu' : 'device' });
  const own = toCpu ? 'the buffer belongs to the CPU' : 'the buffer belongs to the device again';
  const source = m.bounce ? (toCpu ? SRC.swSyncCpu : SRC.swSyncDev) : toCpu ? SRC.syncCpu : SRC.syncDev;
  return { narration: `${callText(op)}: ${words}; ${own}${flagged(w, before)}.`, source };
}

function opSgInit(w: Work, op: Extract<CpuOp, { op: 'sg_init_table' }>, pc: number): Said {
  const id = w.sgTables.length;
  w.sgTables.push({
    entries: op.bufs.map((b) => ({ cpu_addr: b.buf, length: b.len, dma_address: null, dma_length: 0, mapped: false, owner: 'cpu' })),
    orig_nents: op.bufs.length,
    mapped: null,
  });
  setResult(w, pc, { kind: 'sg', sg: id });
  return { narration: `The driver builds scatterlist sgl${id} with ${op.bufs.length} ${op.bufs.length === 1 ? 'entry' : 'entries'}: ${op.bufs.map((b) => rangeText(b.buf, b.len)).join(', ')}.`, source: SRC.sgInit };
}

function opMapSg(w: Work, op: Extract<CpuOp, { op: 'dma_map_sg' }>, pc: number): Said {
  const t = w.sgTables[op.sg];
  const entries = t.entries.slice();
  const done: number[] = [];
  const words: string[] = [];
  for (let i = 0; i < op.nents; i++) {
    const e = entries[i];
    const m = mapOne(w, e.cpu_addr, e.length, op.dir, false);
    if (m.handle === DMA_MAPPING_ERROR) {
      for (const h of done) unmapQuiet(w, h);
      setResult(w, pc, { kind: 'int', value: 0 });
      w.sgTables[op.sg] = { ...t, mapped: 0 };
      return { narration: `${callText(op)} returns 0: entry ${i} cannot be mapped (${m.words}), so the entries before it are unmapped again.`, source: SRC.mapSg };
    }
    done.push(m.handle);
    entries[i] = { ...e, dma_address: m.handle, dma_length: e.length, mapped: true, owner: 'device' };
    words.push(m.bounce ? `entry ${i} bounces through ${hex(m.handle)}` : `entry ${i} at ${hex(m.handle)}${isCoherent(w.s.params.platform) ? '' : ` (${m.words})`}`);
    newMapping(w, {
      type: 'scatter-gather',
      handle: m.handle,
      cpu_addr: e.cpu_addr,
      size: e.length,
      dir: op.dir,
      owner: 'device',
      unmapped: false,
      bounce: m.bounce,
      mapErrorChecked: true,
      sg: { table: op.sg, entry: i, call_ents: op.nents, mapped_ents: op.nents },
      pc,
    });
  }
  w.sgTables[op.sg] = { ...t, entries, mapped: op.nents };
  setResult(w, pc, { kind: 'int', value: op.nents });
  return {
    narration: `${callText(op)} returns ${op.nents}, the nents it was given (dma-direct merges nothing): ${words.join('; ')}; the entries belong to the device.`,
    source: SRC.mapSg,
  };
}

/** The refs dma-debug checks for an sg call over the first `nents` entries. Unmap
 *  (`debug_dma_unmap_sg`): entry 0 always, then up to the `sg_mapped_ents` recorded for entry 0
 *  (all `nents` if none was found). Sync (`debug_dma_sync_sg_for_*`): up to `sg_mapped_ents`,
 *  so nothing at all when entry 0 has no live record. */
function sgRefs(w: Work, op: { sg: number; nents: number; dir: DmaDirection }, sync: boolean): DebugRef[] {
  const t = w.sgTables[op.sg];
  const out: DebugRef[] = [];
  let mapped = 0;
  for (let i = 0; i < op.nents; i++) {
    const e = t.entries[i];
    const ref: DebugRef = { type: 'scatter-gather', handle: e.dma_address ?? DMA_MAPPING_ERROR, size: e.dma_length, dir: op.dir, sg_call_ents: op.nents };
    if (!sync && mapped && i >= mapped) break;
    if (i === 0) {
      const k = findExact(w.mappings, ref);
      mapped = k === null ? 0 : (w.mappings[k].sg?.mapped_ents ?? 0);
    }
    if (sync && i >= mapped) break;
    out.push(ref);
  }
  return out;
}

function opUnmapSg(w: Work, op: Extract<CpuOp, { op: 'dma_unmap_sg' }>, pc: number): Said {
  const before = w.findings.length;
  const t = w.sgTables[op.sg];
  const entries = t.entries.slice();
  for (const ref of sgRefs(w, op, false)) {
    const r = checkUnmap(w.mappings, ref);
    report(w, r.findings, pc, callText(op));
    if (r.entry !== null) setMapping(w, r.entry, { unmapped: true, owner: 'cpu' });
  }
  const words: string[] = [];
  let bounced = false;
  for (let i = 0; i < op.nents; i++) {
    const e = entries[i];
    if (!e.mapped || e.dma_address === null) continue;
    words.push(syncForCpuWork(w, e.dma_address, e.dma_length, op.dir));
    if (w.swiotlb && isSwiotlbBuffer(w.swiotlb, e.dma_address)) {
      w.swiotlb = swiotlbRelease(w.swiotlb, e.dma_address);
      bounced = true;
    }
    entries[i] = { ...e, mapped: false, owner: 'cpu' };
  }
  w.sgTables[op.sg] = { ...t, entries };
  setResult(w, pc, { kind: 'none' });
  const left = entries.map((e, i) => (e.mapped ? i : -1)).filter((i) => i >= 0);
  const leftWords = left.length ? `; ${left.length === 1 ? 'entry' : 'entries'} ${left.join(', ')} ${isAre(left)} still mapped and owned by the device` : '';
  const what = words.length ? [...new Set(words)].join('; ') : 'no entry was mapped';
  return {
    narration: `${callText(op)}: ${what}${bounced ? ', and the slots are released' : ''}${leftWords}${flagged(w, before)}.`,
    source: SRC.unmapSg,
  };
}

function opSyncSg(w: Work, op: Extract<CpuOp, { op: 'dma_sync_sg_for_cpu' | 'dma_sync_sg_for_device' }>, pc: number): Said {
  const toCpu = op.op === 'dma_sync_sg_for_cpu';
  const before = w.findings.length;
  const t = w.sgTables[op.sg];
  const entries = t.entries.slice();
  for (const ref of sgRefs(w, op, true)) {
    const r = checkSync(w.mappings, ref, toCpu);
    report(w, r.findings, pc, callText(op));
  }
  const words: string[] = [];
  for (let i = 0; i < op.nents; i++) {
    const e = entries[i];
    if (!e.mapped || e.dma_address === null) continue;
    words.push(toCpu ? syncForCpuWork(w, e.dma_address, e.dma_length, op.dir) : syncForDeviceWork(w, e.dma_address, e.dma_length, op.dir));
    entries[i] = { ...e, owner: toCpu ? 'cpu' : 'device' };
    const k = findContaining(w.mappings, { type: 'scatter-gather', handle: e.dma_address, size: e.dma_length, dir: op.dir, sg_call_ents: op.nents });
    if (k !== null) setMapping(w, k, { owner: toCpu ? 'cpu' : 'device' });
  }
  w.sgTables[op.sg] = { ...t, entries };
  setResult(w, pc, { kind: 'none' });
  const what = words.length ? [...new Set(words)].join('; ') : 'no entry is mapped, nothing to do';
  const own = toCpu ? 'the entries belong to the CPU' : 'the entries belong to the device';
  return { narration: `${callText(op)}: ${what}; ${own}${flagged(w, before)}.`, source: toCpu ? SRC.syncSgCpu : SRC.syncSgDev };
}

function opAllocCoherent(w: Work, op: Extract<CpuOp, { op: 'dma_alloc_coherent' }>, pc: number): Said {
  const p = w.s.params;
  const ls = p.lineSize;
  const pool = p.coherentPool;
  const need = Math.ceil(op.size / ls);
  let at: number | null = null;
  if (pool) {
    const busy = (line: number) => w.mappings.some((m) => !m.unmapped && m.type === 'coherent' && line * ls >= m.cpu_addr && line * ls < m.cpu_addr + Math.ceil(m.size / ls) * ls);
    const first = pool.addr / ls;
    const end = (pool.addr + pool.size) / ls;
    for (let l = first; l + need <= end && at === null; l++) {
      let ok = true;
      for (let k = 0; k < need; k++) if (busy(l + k)) ok = false;
      if (ok) at = l * ls;
    }
  }
  if (at === null) {
    setResult(w, pc, { kind: 'coherent', cpu_addr: null, handle: null });
    return { narration: `${callText(op)} returns NULL: the coherent pool has no ${need * ls} free bytes.`, source: SRC.alloc };
  }
  const bytes = need * ls;
  const zeros = Array.from({ length: bytes }, () => 0);
  let words: string;
  if (isCoherent(p.platform)) {
    w.mem = cpuWrite(w.mem, at, zeros).mem;
    words = 'dma_direct_alloc hands out ordinary cached memory, zeroed through the cache: the device snoops, so the CPU and the device always agree';
  } else {
    // arm64 (kernel/dma/direct.c dma_direct_alloc -> arch_dma_prep_coherent) only cleans the
    // kernel alias; 32-bit ARM (arch/arm/mm/dma-mapping.c __dma_clear_buffer) flushes it
    // (dmac_flush_range: clean and invalidate). Either way CPU accesses then go uncached.
    const arm64 = p.arch !== 'arm926';
    const r = arm64 ? cleanRange(w.mem, at, bytes) : flushRange(w.mem, at, bytes);
    const uncached = w.mem.uncached.slice();
    for (const n of linesOf(ls, at, bytes)) uncached[n] = true;
    const ram = r.mem.ram.slice();
    for (let i = 0; i < bytes; i++) ram[at + i] = 0;
    w.mem = { ...r.mem, ram, uncached };
    words = arm64
      ? `dma_direct_alloc cleans ${linesText(linesOf(ls, at, bytes))} (arch_dma_prep_coherent on arm64 only cleans; any clean copies left in the cache are never used, because the buffer is then mapped uncached), maps`
      : `__dma_clear_buffer cleans and invalidates ${linesText(linesOf(ls, at, bytes))} (32-bit ARM's dmac_flush_range), maps`;
    words = `${words} ${bytes === ls ? 'it' : 'them'} uncached and zeroes ${bytes === ls ? 'it' : 'them'}: CPU loads and stores there go straight to RAM`;
  }
  idealWrite(w, at, zeros);
  newMapping(w, { type: 'coherent', handle: at, cpu_addr: at, size: op.size, dir: 'DMA_BIDIRECTIONAL', owner: 'both', unmapped: false, bounce: false, mapErrorChecked: true, sg: null, pc });
  setResult(w, pc, { kind: 'coherent', cpu_addr: at, handle: at });
  return { narration: `${callText(op)} returns ${hex(at)} with dma_handle ${hex(at)}: ${words}; it belongs to both at once.`, source: SRC.alloc };
}

function opFreeCoherent(w: Work, op: Extract<CpuOp, { op: 'dma_free_coherent' }>, pc: number): Said {
  const before = w.findings.length;
  const r = checkUnmap(w.mappings, { type: 'coherent', handle: op.handle, size: op.size, dir: 'DMA_BIDIRECTIONAL', sg_call_ents: 0, cpu_addr: op.cpu_addr });
  report(w, r.findings, pc, callText(op));
  setResult(w, pc, { kind: 'none' });
  if (r.entry === null) return { narration: `${callText(op)}: dma-debug finds no allocation at ${handleText(op.handle)}${flagged(w, before)}.`, source: SRC.free };
  const m = w.mappings[r.entry];
  if (m.type === 'coherent' && !isCoherent(w.s.params.platform)) {
    const uncached = w.mem.uncached.slice();
    for (const n of linesOf(w.mem.lineSize, m.cpu_addr, Math.ceil(m.size / w.mem.lineSize) * w.mem.lineSize)) uncached[n] = false;
    w.mem = { ...w.mem, uncached };
  }
  setMapping(w, r.entry, { unmapped: true, owner: 'cpu' });
  return { narration: `${callText(op)}: the buffer is unmapped and returned to the pool${flagged(w, before)}.`, source: SRC.free };
}

function opRead(w: Work, op: Extract<CpuOp, { op: 'read' }>, pc: number): Said {
  const before = w.findings.length;
  report(w, checkCpuAccess(w.mappings, op.addr, op.len, false), pc, callText(op));
  const r = cpuRead(w.mem, op.addr, op.len);
  w.mem = r.mem;
  const ideal = w.ideal.slice(op.addr, op.addr + op.len);
  w.reads = [...w.reads, { pc, addr: op.addr, bytes: r.bytes, ideal }];
  setResult(w, pc, { kind: 'bytes', bytes: r.bytes });
  const lines = linesOf(w.mem.lineSize, op.addr, op.len);
  const unc = lines.filter((n) => w.mem.uncached[n]);
  const how: string[] = [];
  if (r.report.hits.length) how.push(`${linesText(r.report.hits)} ${r.report.hits.length === 1 ? 'hits' : 'hit'} in the cache`);
  if (r.report.filled.length) how.push(`${linesText(r.report.filled)} ${r.report.filled.length === 1 ? 'misses and is' : 'miss and are'} filled from RAM`);
  if (unc.length) how.push(`${linesText(unc)} ${isAre(unc)} uncached and read${unc.length === 1 ? 's' : ''} RAM directly`);
  const same = r.bytes.every((b, i) => b === ideal[i]);
  const verdict = same ? '' : `, not what a machine without caches or bounce buffers would return (${bytesText(ideal)})`;
  return { narration: `The CPU reads ${rangeText(op.addr, op.len)}: ${how.join(', ')}; it gets ${bytesText(r.bytes)}${verdict}${flagged(w, before)}.`, source: null };
}

function opWrite(w: Work, op: Extract<CpuOp, { op: 'write' }>, pc: number): Said {
  const before = w.findings.length;
  report(w, checkCpuAccess(w.mappings, op.addr, op.bytes.length, true), pc, callText(op));
  const r = cpuWrite(w.mem, op.addr, op.bytes);
  w.mem = r.mem;
  idealWrite(w, op.addr, op.bytes);
  setResult(w, pc, { kind: 'none' });
  const lines = linesOf(w.mem.lineSize, op.addr, op.bytes.length);
  const cached = lines.filter((n) => !w.mem.uncached[n]);
  const unc = lines.filter((n) => w.mem.uncached[n]);
  const where: string[] = [];
  if (cached.length) where.push(`${linesText(cached)} ${isAre(cached)} now dirty in the cache (RAM still holds the old bytes)`);
  if (unc.length) where.push(`${linesText(unc)} ${isAre(unc)} uncached, so the bytes go straight to RAM`);
  return { narration: `The CPU writes ${bytesText(op.bytes)} to ${rangeText(op.addr, op.bytes.length)}: ${where.join('; ')}${flagged(w, before)}.`, source: null };
}

function opStartDevice(w: Work, op: Extract<CpuOp, { op: 'start_device' }>, pc: number): Said {
  const len = segsLen(op.segs);
  w.device = { ...w.device, op: { dma: op.dma, segs: op.segs.map((s) => ({ ...s })), data: op.dma === 'write' ? (op.data ?? []).slice() : [], ideal: [], done: 0, len, pc }, irq: false };
  setResult(w, pc, { kind: 'none' });
  const what = op.dma === 'write' ? `write ${len} bytes (${bytesText(op.data ?? [])}) to bus address ${segsText(op.segs)}` : `read ${len} bytes from bus address ${segsText(op.segs)} and send them`;
  return { narration: `The driver starts the device: it will ${what}.`, source: null };
}

function opWait(w: Work, pc: number): Said {
  setResult(w, pc, { kind: 'none' });
  const t = w.device.transfers[w.device.transfers.length - 1];
  w.device = { ...w.device, irq: false };
  const what = t && t.dma === 'read' ? ` (it sent ${bytesText(t.data)})` : '';
  return { narration: `The device's completion interrupt wakes the driver${what}.`, source: null };
}

export function applyCpu(s: CoherenceState): { state: CoherenceState; said: Said } {
  const w = work(s);
  const pc = s.cpu.pc;
  const program = s.params.program;
  if (pc >= program.length) {
    const before = w.findings.length;
    report(w, checkLeaks(w.mappings), pc, 'driver unbind');
    const left = w.mappings.filter((m) => !m.unmapped);
    const narration = left.length
      ? `The driver is unbound and dma-debug looks for what it left behind: ${left.length} ${left.length === 1 ? 'mapping is' : 'mappings are'} still live${flagged(w, before)}.`
      : 'The driver is unbound and dma-debug looks for what it left behind: nothing, every mapping was unmapped.';
    return { state: finish(w, pc, 'done'), said: { narration, source: SRC.unbind } };
  }
  const op = program[pc];
  let said: Said;
  switch (op.op) {
    case 'dma_map_single':
      said = opMapSingle(w, op, pc);
      break;
    case 'dma_mapping_error':
      said = opMappingError(w, op, pc);
      break;
    case 'dma_unmap_single':
      said = opUnmapSingle(w, op, pc);
      break;
    case 'dma_sync_single_for_cpu':
    case 'dma_sync_single_for_device':
      said = opSyncSingle(w, op, pc);
      break;
    case 'sg_init_table':
      said = opSgInit(w, op, pc);
      break;
    case 'dma_map_sg':
      said = opMapSg(w, op, pc);
      break;
    case 'dma_unmap_sg':
      said = opUnmapSg(w, op, pc);
      break;
    case 'dma_sync_sg_for_cpu':
    case 'dma_sync_sg_for_device':
      said = opSyncSg(w, op, pc);
      break;
    case 'dma_alloc_coherent':
      said = opAllocCoherent(w, op, pc);
      break;
    case 'dma_free_coherent':
      said = opFreeCoherent(w, op, pc);
      break;
    case 'read':
      said = opRead(w, op, pc);
      break;
    case 'write':
      said = opWrite(w, op, pc);
      break;
    case 'start_device':
      said = opStartDevice(w, op, pc);
      break;
    case 'wait':
      said = opWait(w, pc);
      break;
  }
  return { state: finish(w, pc + 1, 'run'), said };
}
