/**
 * The coherence model's parameters: building them from a platform and options, and checking
 * them and the driver's program (each failure an `Error` naming the field or the call).
 * Part of the coherence model (`coherence.ts`).
 */
import type { CoherenceParams, Platform, Region } from './coherence-types.ts';
import { DMA_MAPPING_ERROR } from './debug.ts';
import type { DmaDirection } from './types.ts';
import { hex, rangeText, segsLen } from './coherence-words.ts';
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

export function cloneParams(p: CoherenceParams): CoherenceParams {
  return JSON.parse(JSON.stringify(p)) as CoherenceParams;
}
