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
import type { KernelSource, Model, StepEvent } from '../core/model.ts';
import type { Invariant } from '../explore/explore.ts';
import { cleanRange, cpuRead, cpuWrite, deviceRead, deviceWrite, emptyCache, evictLine, fillLine, flushRange, invalidateRange, linesOf } from './cache.ts';
import type { LineReport } from './cache.ts';
import type {
  CacheLine,
  CohChoice,
  CoherenceParams,
  CoherenceState,
  CohSgTable,
  DebugRule,
  CpuOp,
  DeviceTransfer,
  DmaMapping,
  Finding,
  Memory,
  OpResult,
  Platform,
  Region,
} from './coherence-types.ts';
import { DEBUG_RULES, DMA_MAPPING_ERROR, checkCpuAccess, checkLeaks, checkSync, checkUnmap, findContaining, findExact, markMapErrorChecked } from './debug.ts';
import type { DebugRef, RawFinding } from './debug.ts';
import { KERNEL_VERSION } from './model.ts';
import { isSwiotlbBuffer, swiotlbAlloc, swiotlbInit, swiotlbOrig, swiotlbRelease } from './swiotlb.ts';
import type { DmaDirection } from './types.ts';

/** `-ENOMEM`, what `dma_mapping_error` returns for a failed mapping. */
export const DMA_MAPPING_ENOMEM = -12;

function src(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

const SRC = {
  mapPage: src('kernel/dma/direct.h', 'dma_direct_map_page'),
  unmapPage: src('kernel/dma/direct.h', 'dma_direct_unmap_page'),
  syncCpu: src('kernel/dma/direct.h', 'dma_direct_sync_single_for_cpu'),
  syncDev: src('kernel/dma/direct.h', 'dma_direct_sync_single_for_device'),
  tblMap: src('kernel/dma/swiotlb.c', 'swiotlb_tbl_map_single'),
  tblUnmap: src('kernel/dma/swiotlb.c', '__swiotlb_tbl_unmap_single'),
  swSyncCpu: src('kernel/dma/swiotlb.c', '__swiotlb_sync_single_for_cpu'),
  swSyncDev: src('kernel/dma/swiotlb.c', '__swiotlb_sync_single_for_device'),
  mapSg: src('kernel/dma/direct.c', 'dma_direct_map_sg'),
  unmapSg: src('kernel/dma/direct.c', 'dma_direct_unmap_sg'),
  syncSgCpu: src('kernel/dma/direct.c', 'dma_direct_sync_sg_for_cpu'),
  syncSgDev: src('kernel/dma/direct.c', 'dma_direct_sync_sg_for_device'),
  mappingError: src('include/linux/dma-mapping.h', 'dma_mapping_error'),
  alloc: src('kernel/dma/direct.c', 'dma_direct_alloc'),
  free: src('kernel/dma/direct.c', 'dma_direct_free'),
  sgInit: src('lib/scatterlist.c', 'sg_init_table'),
  unbind: src('kernel/dma/debug.c', 'dma_debug_device_change'),
} as const;

// ---------------------------------------------------------------------------------------
// Words

const hex = (n: number): string => `0x${n.toString(16)}`;

/** "0x40–0x5f" (one byte: "0x40"). */
export function rangeText(addr: number, len: number): string {
  return len <= 1 ? hex(addr) : `${hex(addr)}–${hex(addr + len - 1)}`;
}

/** "01 02 03 04 … 1f 20": bytes as hex, shortened past 8. */
export function bytesText(bytes: readonly number[]): string {
  const h = (b: number) => b.toString(16).padStart(2, '0');
  if (bytes.length <= 8) return bytes.map(h).join(' ');
  return `${bytes.slice(0, 4).map(h).join(' ')} … ${bytes.slice(-2).map(h).join(' ')}`;
}

/** "line 4", "lines 4 and 5", "lines 4–6", "lines 1, 4 and 6". */
export function linesText(ns: readonly number[]): string {
  if (ns.length === 1) return `line ${ns[0]}`;
  if (ns.length === 2) return `lines ${ns[0]} and ${ns[1]}`;
  if (ns.every((n, i) => i === 0 || n === ns[i - 1] + 1)) return `lines ${ns[0]}–${ns[ns.length - 1]}`;
  return `lines ${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;
}

const isAre = (ns: readonly unknown[]) => (ns.length === 1 ? 'is' : 'are');
const wasWere = (ns: readonly unknown[]) => (ns.length === 1 ? 'was' : 'were');

/** The call as a driver writes it, e.g. `dma_sync_single_for_cpu(dev, 0x40, 32, DMA_FROM_DEVICE)`. */
export function callText(op: CpuOp): string {
  switch (op.op) {
    case 'dma_map_single':
      return op.skipCpuSync
        ? `dma_map_single_attrs(dev, ${hex(op.cpu_addr)}, ${op.size}, ${op.dir}, DMA_ATTR_SKIP_CPU_SYNC)`
        : `dma_map_single(dev, ${hex(op.cpu_addr)}, ${op.size}, ${op.dir})`;
    case 'dma_mapping_error':
      return `dma_mapping_error(dev, ${handleText(op.handle)})`;
    case 'dma_unmap_single':
      return op.skipCpuSync
        ? `dma_unmap_single_attrs(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir}, DMA_ATTR_SKIP_CPU_SYNC)`
        : `dma_unmap_single(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir})`;
    case 'dma_sync_single_for_cpu':
    case 'dma_sync_single_for_device':
      return `${op.op}(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir})`;
    case 'sg_init_table':
      return `sg_init_table + sg_set_buf × ${op.bufs.length} (${op.bufs.map((b) => rangeText(b.buf, b.len)).join(', ')})`;
    case 'dma_map_sg':
    case 'dma_unmap_sg':
    case 'dma_sync_sg_for_cpu':
    case 'dma_sync_sg_for_device':
      return `${op.op}(dev, sgl${op.sg}, ${op.nents}, ${op.dir})`;
    case 'dma_alloc_coherent':
      return `dma_alloc_coherent(dev, ${op.size}, &dma_handle, GFP_KERNEL)`;
    case 'dma_free_coherent':
      return `dma_free_coherent(dev, ${op.size}, ${hex(op.cpu_addr)}, ${handleText(op.handle)})`;
    case 'read':
      return `readBuffer(${hex(op.addr)}, ${op.len})`;
    case 'write':
      return `writeBuffer(${hex(op.addr)}, [${bytesText(op.bytes)}])`;
    case 'start_device':
      return op.dma === 'write'
        ? `startDeviceWrite(${segsArg(op.segs)}, [${bytesText(op.data ?? [])}])`
        : `startDeviceRead(${segsArg(op.segs)}, ${segsLen(op.segs)})`;
    case 'wait':
      return 'waitForDevice()';
  }
}

function handleText(h: number): string {
  return h === DMA_MAPPING_ERROR ? 'DMA_MAPPING_ERROR' : hex(h);
}

const segsLen = (segs: readonly { len: number }[]) => segs.reduce((a, s) => a + s.len, 0);
/** One segment: its address; several: `[{addr, len}, …]` in hex. */
const segsArg = (segs: readonly { addr: number; len: number }[]) =>
  segs.length === 1 ? hex(segs[0].addr) : `[${segs.map((x) => `{${hex(x.addr)}, ${x.len}}`).join(', ')}]`;
const segsText = (segs: readonly { addr: number; len: number }[]) => segs.map((s) => rangeText(s.addr, s.len)).join(', ');

// ---------------------------------------------------------------------------------------
// Parameters

const DIRS: readonly DmaDirection[] = ['DMA_BIDIRECTIONAL', 'DMA_TO_DEVICE', 'DMA_FROM_DEVICE'];
const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** `dev_is_dma_coherent(dev)` for the platform. */
export function isCoherent(platform: Platform): boolean {
  return platform !== 'noncoherent-arm';
}

/** What `coherenceParams` accepts: the platform, and any field to override. */
export type CoherenceOptions = Partial<CoherenceParams> & { platform: Platform };

/**
 * Complete parameters from a platform and overrides. Defaults (the small configuration):
 * lines of 16 bytes, 8 lines (128 bytes of RAM, all zero), the coherent pool in lines 0–1;
 * on `'swiotlb'` the device reaches only lines 0–3 (`dmaLimit` 0x40) and the bounce pool is
 * lines 2–3, elsewhere it reaches all of RAM; `arch` 'arm64'; evictions on; speculative fills
 * on for arm64 only; an empty program. With other `ramLines`, the pools and the limit scale:
 * coherent pool the first quarter, swiotlb the second, the `'swiotlb'` limit at half. Validates
 * the result (`RangeError`).
 */
export function coherenceParams(opts: CoherenceOptions): CoherenceParams {
  if (typeof opts !== 'object' || opts === null) throw new RangeError('coherence params: expected an object');
  const lineSize = opts.lineSize ?? 16;
  const ramLines = opts.ramLines ?? 8;
  const quarter = Math.max(1, Math.floor(ramLines / 4)) * lineSize;
  const platform = opts.platform;
  const arch = opts.arch ?? 'arm64';
  const p: CoherenceParams = {
    platform,
    arch,
    lineSize,
    ramLines,
    dmaLimit: opts.dmaLimit ?? (platform === 'swiotlb' ? 2 * quarter : ramLines * lineSize),
    swiotlb: opts.swiotlb !== undefined ? opts.swiotlb : platform === 'swiotlb' ? { addr: quarter, size: quarter } : null,
    coherentPool: opts.coherentPool !== undefined ? opts.coherentPool : { addr: 0, size: quarter },
    ram: opts.ram ?? Array.from({ length: ramLines * lineSize }, () => 0),
    initialCache: opts.initialCache ?? [],
    evictions: opts.evictions ?? true,
    speculative: opts.speculative ?? (platform === 'noncoherent-arm' && arch === 'arm64'),
    program: opts.program ?? [],
  };
  validateCoherenceParams(p);
  return p;
}

function checkRegion(r: Region | null, name: string, p: CoherenceParams): void {
  if (r === null) return;
  if (typeof r !== 'object' || !isInt(r.addr) || !isInt(r.size)) throw new RangeError(`coherence params: ${name} must be null or {addr, size} with integers`);
  if (r.addr % p.lineSize !== 0 || r.size % p.lineSize !== 0 || r.size < p.lineSize || r.addr < 0) {
    throw new RangeError(`coherence params: ${name} must be line aligned and at least one line, got ${rangeText(r.addr, r.size)}`);
  }
  if (r.addr + r.size > p.dmaLimit) throw new RangeError(`coherence params: ${name} (${rangeText(r.addr, r.size)}) must lie below dmaLimit (${hex(p.dmaLimit)})`);
}

function checkBytes(bytes: unknown, what: string): asserts bytes is number[] {
  if (!Array.isArray(bytes) || bytes.some((b) => !isInt(b) || b < 0 || b > 255)) throw new RangeError(`${what} must be an array of integers 0..255`);
}

/**
 * Checks parameters; throws `RangeError` naming the first bad field: platform and arch among
 * their values; `lineSize` a power of two 4..64; `ramLines` 2..32; `dmaLimit` a multiple of the
 * line size from one line to all of RAM; pools line aligned below `dmaLimit`, not overlapping;
 * `swiotlb` given exactly on `'swiotlb'`; `ram` the right length of bytes; `initialCache`
 * distinct cacheable lines (clean ones equal to RAM); booleans; and the program (see
 * `validateProgram`).
 */
export function validateCoherenceParams(p: CoherenceParams): void {
  if (typeof p !== 'object' || p === null) throw new RangeError('coherence params: expected an object');
  if (!['coherent-x86', 'noncoherent-arm', 'swiotlb'].includes(p.platform)) {
    throw new RangeError(`coherence params: platform must be 'coherent-x86', 'noncoherent-arm' or 'swiotlb', got ${JSON.stringify(p.platform)}`);
  }
  if (p.arch !== 'arm64' && p.arch !== 'arm926') throw new RangeError(`coherence params: arch must be 'arm64' or 'arm926', got ${JSON.stringify(p.arch)}`);
  if (!isInt(p.lineSize) || p.lineSize < 4 || p.lineSize > 64 || (p.lineSize & (p.lineSize - 1)) !== 0) {
    throw new RangeError(`coherence params: lineSize must be a power of two from 4 to 64, got ${p.lineSize}`);
  }
  if (!isInt(p.ramLines) || p.ramLines < 2 || p.ramLines > 32) throw new RangeError(`coherence params: ramLines must be an integer from 2 to 32, got ${p.ramLines}`);
  const size = p.lineSize * p.ramLines;
  if (!isInt(p.dmaLimit) || p.dmaLimit < p.lineSize || p.dmaLimit > size || p.dmaLimit % p.lineSize !== 0) {
    throw new RangeError(`coherence params: dmaLimit must be a multiple of lineSize from ${p.lineSize} to ${size}, got ${p.dmaLimit}`);
  }
  checkRegion(p.swiotlb, 'swiotlb', p);
  checkRegion(p.coherentPool, 'coherentPool', p);
  if ((p.platform === 'swiotlb') !== (p.swiotlb !== null)) throw new RangeError(`coherence params: swiotlb must be a region on the 'swiotlb' platform and null elsewhere`);
  if (p.swiotlb && p.coherentPool && p.swiotlb.addr < p.coherentPool.addr + p.coherentPool.size && p.coherentPool.addr < p.swiotlb.addr + p.swiotlb.size) {
    throw new RangeError('coherence params: swiotlb and coherentPool overlap');
  }
  checkBytes(p.ram, 'coherence params: ram');
  if (p.ram.length !== size) throw new RangeError(`coherence params: ram must hold ${size} bytes (ramLines × lineSize), got ${p.ram.length}`);
  if (!Array.isArray(p.initialCache)) throw new RangeError('coherence params: initialCache must be an array');
  const seen = new Set<number>();
  p.initialCache.forEach((l, i) => {
    const w = `coherence params: initialCache[${i}]`;
    if (typeof l !== 'object' || l === null || !isInt(l.line) || l.line < 0 || l.line >= p.ramLines) throw new RangeError(`${w}.line must be a line index below ${p.ramLines}`);
    if (seen.has(l.line)) throw new RangeError(`${w}: line ${l.line} appears twice`);
    seen.add(l.line);
    if (typeof l.dirty !== 'boolean') throw new RangeError(`${w}.dirty must be a boolean`);
    if (l.data !== undefined) {
      checkBytes(l.data, `${w}.data`);
      if (l.data.length !== p.lineSize) throw new RangeError(`${w}.data must hold ${p.lineSize} bytes`);
    } else if (l.dirty) throw new RangeError(`${w}: a dirty line needs its data`);
  });
  if (typeof p.evictions !== 'boolean') throw new RangeError('coherence params: evictions must be a boolean');
  if (typeof p.speculative !== 'boolean') throw new RangeError('coherence params: speculative must be a boolean');
  validateProgram(p);
}

/**
 * Checks the program against the parameters; throws `RangeError` naming `program[i]` and the
 * field: known operations; integers; CPU ranges inside RAM; bytes 0..255; directions; `sg`
 * naming an earlier `sg_init_table`, `nents` from 1 to that table's entry count; `start_device`
 * with segments whose lengths add up (and `data` of that length for 'write'), never while an
 * earlier transfer was not waited for; `wait` only after a `start_device`. Handles are not
 * checked: a wrong handle is a driver bug the checker reports.
 */
export function validateProgram(p: CoherenceParams): void {
  if (!Array.isArray(p.program)) throw new RangeError('coherence params: program must be an array');
  const size = p.lineSize * p.ramLines;
  const tables: number[] = [];
  let inFlight: number | null = null;
  p.program.forEach((op, i) => {
    const w = `coherence params: program[${i}]${op && typeof op === 'object' && 'op' in op ? ` (${String(op.op)})` : ''}`;
    if (typeof op !== 'object' || op === null) throw new RangeError(`${w}: expected an object`);
    const inRam = (addr: unknown, len: unknown, what: string) => {
      if (!isInt(addr) || !isInt(len) || len < 1 || addr < 0 || addr + len > size) throw new RangeError(`${w}: ${what} must be a range of at least 1 byte inside RAM (0x0–${hex(size - 1)})`);
    };
    const intArg = (v: unknown, what: string, min = 0) => {
      if (!isInt(v) || v < min) throw new RangeError(`${w}: ${what} must be an integer >= ${min}, got ${String(v)}`);
    };
    const dirArg = (d: unknown) => {
      if (!DIRS.includes(d as DmaDirection)) throw new RangeError(`${w}: dir must be DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL, got ${JSON.stringify(d)}`);
    };
    const handleArg = (h: unknown) => {
      if (!isInt(h) || h < DMA_MAPPING_ERROR) throw new RangeError(`${w}: handle must be a dma_addr_t (an integer >= 0, or DMA_MAPPING_ERROR), got ${String(h)}`);
    };
    const skipArg = (s: unknown) => {
      if (s !== undefined && typeof s !== 'boolean') throw new RangeError(`${w}: skipCpuSync must be a boolean when given`);
    };
    const sgArg = (sg: unknown, nents: unknown) => {
      if (!isInt(sg) || sg < 0 || sg >= tables.length) throw new RangeError(`${w}: sg must name an earlier sg_init_table (0..${tables.length - 1}), got ${String(sg)}`);
      if (!isInt(nents) || nents < 1 || nents > tables[sg]) throw new RangeError(`${w}: nents must be an integer from 1 to ${tables[sg]} (the table's entries), got ${String(nents)}`);
    };
    switch (op.op) {
      case 'dma_map_single':
        inRam(op.cpu_addr, op.size, 'cpu_addr and size');
        dirArg(op.dir);
        skipArg(op.skipCpuSync);
        break;
      case 'dma_mapping_error':
        handleArg(op.handle);
        break;
      case 'dma_unmap_single':
        skipArg(op.skipCpuSync);
      // falls through
      case 'dma_sync_single_for_cpu':
      case 'dma_sync_single_for_device':
        handleArg(op.handle);
        intArg(op.size, 'size', 1);
        if (op.size > size) throw new RangeError(`${w}: size must be at most the RAM size (${size})`);
        dirArg(op.dir);
        break;
      case 'sg_init_table':
        if (!Array.isArray(op.bufs) || op.bufs.length < 1 || op.bufs.length > 16) throw new RangeError(`${w}: bufs must be an array of 1 to 16 {buf, len}`);
        op.bufs.forEach((b, k) => inRam(b?.buf, b?.len, `bufs[${k}]`));
        tables.push(op.bufs.length);
        break;
      case 'dma_map_sg':
      case 'dma_unmap_sg':
      case 'dma_sync_sg_for_cpu':
      case 'dma_sync_sg_for_device':
        sgArg(op.sg, op.nents);
        dirArg(op.dir);
        break;
      case 'dma_alloc_coherent':
        intArg(op.size, 'size', 1);
        if (op.size > size) throw new RangeError(`${w}: size must be at most the RAM size (${size})`);
        break;
      case 'dma_free_coherent':
        intArg(op.size, 'size', 1);
        intArg(op.cpu_addr, 'cpu_addr');
        handleArg(op.handle);
        break;
      case 'read':
        inRam(op.addr, op.len, 'addr and len');
        break;
      case 'write':
        checkBytes(op.bytes, `${w}: bytes`);
        inRam(op.addr, op.bytes.length, 'addr and bytes');
        break;
      case 'start_device': {
        if (op.dma !== 'write' && op.dma !== 'read') throw new RangeError(`${w}: dma must be 'write' (the device writes memory) or 'read', got ${JSON.stringify(op.dma)}`);
        if (!Array.isArray(op.segs) || op.segs.length < 1 || op.segs.length > 16) throw new RangeError(`${w}: segs must be an array of 1 to 16 {addr, len}`);
        op.segs.forEach((s, k) => {
          if (typeof s !== 'object' || s === null || !isInt(s.addr) || s.addr < 0 || s.addr >= 2 ** 32 || !isInt(s.len) || s.len < 1 || s.len > size) {
            throw new RangeError(`${w}: segs[${k}] must be {addr, len} with a bus address below 2^32 and 1 to ${size} bytes`);
          }
        });
        const len = segsLen(op.segs);
        if (op.dma === 'write') {
          checkBytes(op.data, `${w}: data`);
          if (op.data.length !== len) throw new RangeError(`${w}: data must hold the ${len} bytes the segments cover, got ${op.data.length}`);
        } else if (op.data !== undefined) throw new RangeError(`${w}: a 'read' transfer takes no data`);
        if (inFlight !== null) throw new RangeError(`${w}: the device is still busy with the transfer of program[${inFlight}]: wait for it first`);
        inFlight = i;
        break;
      }
      case 'wait':
        if (inFlight === null) throw new RangeError(`${w}: no transfer was started since the last wait`);
        inFlight = null;
        break;
      default:
        throw new RangeError(`${w}: unknown operation ${JSON.stringify((op as { op: unknown }).op)}`);
    }
  });
}

function cloneParams(p: CoherenceParams): CoherenceParams {
  return JSON.parse(JSON.stringify(p)) as CoherenceParams;
}

// ---------------------------------------------------------------------------------------
// Working copy

/** A step's working copy: top-level arrays copied, elements replaced, never mutated. */
interface Work {
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

function work(s: CoherenceState): Work {
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

function idealWrite(w: Work, addr: number, bytes: readonly number[]): void {
  if (!w.idealCopied) {
    w.ideal = w.ideal.slice();
    w.idealCopied = true;
  }
  bytes.forEach((b, i) => {
    if (addr + i < w.ideal.length) w.ideal[addr + i] = b;
  });
}

function report(w: Work, raw: readonly RawFinding[], pc: number, call: string): void {
  if (raw.length === 0) return;
  const out = w.findings.slice();
  for (const r of raw) {
    if (out.some((f) => f.step === w.step && f.rule === r.rule && f.pc === pc)) continue;
    out.push({ ...r, step: w.step, pc, call });
  }
  w.findings = out;
}

function finish(w: Work, pcNext: number, phase: 'run' | 'done'): CoherenceState {
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

function setResult(w: Work, pc: number, r: OpResult): void {
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
function bounce(w: Work, tlb: number, size: number, toBounce: boolean): { orig: number; len: number } | null {
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
function syncForCpuWork(w: Work, handle: number, size: number, dir: DmaDirection): string {
  if (isSwiotlbBuffer(w.swiotlb, handle)) {
    if (dir === 'DMA_TO_DEVICE') return 'swiotlb copies nothing back for DMA_TO_DEVICE';
    const b = bounce(w, handle, size, false);
    return b ? `swiotlb copies ${b.len} bytes from slot ${rangeText(handle, b.len)} back to ${rangeText(b.orig, b.len)}` : 'the slot is free: nothing to copy';
  }
  if (isCoherent(w.s.params.platform)) return 'the device is coherent: no cache work';
  return archSyncForCpu(w, handle, Math.min(size, w.mem.ram.length - handle), dir);
}

/** The `_for_device` half of a sync at bus address `handle`; returns words. */
function syncForDeviceWork(w: Work, handle: number, size: number, dir: DmaDirection): string {
  if (isSwiotlbBuffer(w.swiotlb, handle)) {
    if (dir === 'DMA_FROM_DEVICE') return 'swiotlb copies nothing for DMA_FROM_DEVICE (the device will overwrite the slot)';
    const b = bounce(w, handle, size, true);
    return b ? `swiotlb copies ${b.len} bytes from ${rangeText(b.orig, b.len)} into slot ${rangeText(handle, b.len)}` : 'the slot is free: nothing to copy';
  }
  if (isCoherent(w.s.params.platform)) return 'the device is coherent: no cache work';
  return archSyncForDevice(w, handle, Math.min(size, w.mem.ram.length - handle), dir);
}

/** Maps one buffer for the device as `dma_direct_map_page` does. */
function mapOne(w: Work, cpu_addr: number, size: number, dir: DmaDirection, skip: boolean): { handle: number; bounce: boolean; words: string; source: KernelSource } {
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
function unmapQuiet(w: Work, handle: number): void {
  if (w.swiotlb && isSwiotlbBuffer(w.swiotlb, handle)) w.swiotlb = swiotlbRelease(w.swiotlb, handle);
}

function newMapping(w: Work, m: Omit<DmaMapping, 'id'>): void {
  w.mappings.push({ ...m, id: w.mappings.length });
}

function setMapping(w: Work, i: number, patch: Partial<DmaMapping>): void {
  w.mappings[i] = { ...w.mappings[i], ...patch };
}

/** " — the checker flags it: size, direction" (empty when nothing new was found at this step). */
function flagged(w: Work, before: number): string {
  const fresh = w.findings.slice(before);
  if (fresh.length === 0) return '';
  return ` — the checker flags it: ${[...new Set(fresh.map((f) => DEBUG_RULES[f.rule].title))].join('; ')}`;
}

// ---------------------------------------------------------------------------------------
// The CPU's operations

interface Said {
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

function applyCpu(s: CoherenceState): { state: CoherenceState; said: Said } {
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

// ---------------------------------------------------------------------------------------
// The device, the cache

/** The live mapping whose bus range holds `[addr, addr + len)`, if any. */
function mappingAt(mappings: readonly DmaMapping[], addr: number, len: number): DmaMapping | null {
  return mappings.find((m) => !m.unmapped && m.handle <= addr && m.handle + m.size >= addr + len) ?? null;
}

/** The device's next piece of `t`: where the transfer stands, up to the end of that segment
 *  or of that cache line, whichever comes first. */
function nextPiece(t: DeviceTransfer, lineSize: number): { bus: number; chunk: number } {
  let k = 0;
  let o = t.done;
  while (o >= t.segs[k].len) o -= t.segs[k++].len;
  const bus = t.segs[k].addr + o;
  return { bus, chunk: Math.min(t.segs[k].len - o, lineSize - (bus % lineSize)) };
}

function applyDevice(s: CoherenceState): { state: CoherenceState; said: Said } {
  const w = work(s);
  const t = s.device.op as NonNullable<CoherenceState['device']['op']>;
  const p = s.params;
  const { bus, chunk } = nextPiece(t, p.lineSize);
  const snoop = isCoherent(p.platform);
  const before = w.findings.length;
  const call = callText(p.program[t.pc]);
  // One finding per rule per transfer, not one per line.
  const flag = (rule: DebugRule, message: string) => {
    if (!w.findings.some((f) => f.rule === rule && f.pc === t.pc)) report(w, [{ rule, message }], t.pc, call);
  };
  const line = Math.floor(bus / p.lineSize);
  let narration: string;
  let got: number[] = [];
  let ideal: number[] = [];
  if (bus + chunk > p.dmaLimit || bus + chunk > s.mem.ram.length) {
    const why = bus + chunk > s.mem.ram.length ? 'there is no RAM there' : `the device can only reach ${rangeText(0, p.dmaLimit)} (its DMA mask)`;
    flag('device-access-unmapped', `the device accessed bus address ${rangeText(bus, chunk)}, but ${why}`);
    got = Array.from({ length: chunk }, () => 0);
    ideal = got;
    narration = `The device tries to ${t.dma} ${rangeText(bus, chunk)}, but ${why}: the ${chunk} bytes go nowhere${flagged(w, before)}.`;
  } else {
    const m = mappingAt(s.mappings, bus, chunk);
    if (!m) flag('device-access-unmapped', `the device accessed bus address ${rangeText(bus, chunk)}, which no live mapping covers`);
    else if (m.owner === 'cpu') flag('device-access-cpu-owned', `the device accessed ${rangeText(bus, chunk)} after the driver handed that mapping (handle ${hex(m.handle)}) to the CPU`);
    const cpuAddr = m ? m.cpu_addr + (bus - m.handle) : bus;
    const slot = m && m.bounce ? ` (swiotlb slot for ${rangeText(cpuAddr, chunk)})` : '';
    const cl: CacheLine = s.mem.cache[line];
    if (t.dma === 'write') {
      const bytes = t.data.slice(t.done, t.done + chunk);
      const r = deviceWrite(w.mem, bus, bytes, snoop);
      w.mem = r.mem;
      idealWrite(w, cpuAddr, bytes);
      let cache = '';
      if (snoop) {
        if (r.report.dropped.length) cache = `; the snoop ${r.report.written.length ? 'writes back and ' : ''}invalidates the CPU's copy of line ${line}`;
      } else if (cl.valid && !s.mem.uncached[line]) {
        cache = cl.dirty
          ? `, but line ${line} is dirty in the cache: if it is evicted now it will overwrite these bytes`
          : `, behind the cache's back: the clean copy of line ${line} in the cache is now stale`;
      }
      narration = `The device writes ${bytesText(bytes)} to ${rangeText(bus, chunk)}${slot} in RAM${cache}${flagged(w, before)}.`;
    } else {
      const r = deviceRead(w.mem, bus, chunk, snoop);
      w.mem = r.mem;
      got = r.bytes;
      ideal = w.ideal.slice(cpuAddr, cpuAddr + chunk);
      let cache = '';
      if (snoop) {
        if (r.report.written.length) cache = `; the snoop writes back dirty line ${line} first, so it gets the CPU's bytes`;
      } else if (cl.valid && cl.dirty && !s.mem.uncached[line]) {
        cache = `, but line ${line} is dirty in the cache: the device misses the CPU's newer bytes`;
      }
      narration = `The device reads ${bytesText(got)} from ${rangeText(bus, chunk)}${slot}${cache}${flagged(w, before)}.`;
    }
  }
  const done = t.done + chunk;
  const next = t.dma === 'read' ? { ...t, data: [...t.data, ...got], ideal: [...t.ideal, ...ideal], done } : { ...t, done };
  if (done >= t.len) {
    w.device = { op: null, irq: true, transfers: [...s.device.transfers, next] };
    narration = `${narration.slice(0, -1)}; the transfer is complete and the device raises its interrupt.`;
  } else {
    w.device = { ...s.device, op: next };
  }
  return { state: finish(w, s.cpu.pc, s.cpu.phase), said: { narration, source: null } };
}

function applyEvict(s: CoherenceState, line: number): { state: CoherenceState; said: Said } {
  const l = s.mem.cache[line];
  const r = evictLine(s.mem, line);
  const at = rangeText(l.addr, s.mem.lineSize);
  const narration = l.dirty
    ? `The cache evicts dirty line ${line}: its bytes (${bytesText(l.data)}) are written back to RAM at ${at}.`
    : `The cache evicts clean line ${line} (${at}): the copy is dropped, RAM is unchanged.`;
  return { state: { ...s, mem: r.mem }, said: { narration, source: null } };
}

function applyFill(s: CoherenceState, line: number): { state: CoherenceState; said: Said } {
  const r = fillLine(s.mem, line);
  const l = r.mem.cache[line];
  const narration = `The CPU speculatively fills line ${line} from RAM (${bytesText(l.data)}): an arm64 core may load any cacheable line at any time, even one the device owns.`;
  return { state: { ...s, mem: r.mem }, said: { narration, source: null } };
}

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
