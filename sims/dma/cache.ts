/**
 * A write-back, write-allocate CPU data cache over a small RAM, and the device's accesses to
 * that RAM with or without snooping. Pure functions: each takes a `Memory` and returns a new
 * one (sharing what did not change) with a report of what happened to which line.
 *
 * The cache has one slot per line of RAM, so it never has to evict to make room: lines leave
 * it only through `evictLine`, which the model offers as a scheduler choice (the stand-in for
 * capacity and conflict misses caused by code we do not model). Speculative fills (`fillLine`)
 * are arm64's: an ARMv8 core may bring any cacheable line into its cache at any time.
 *
 * Cache maintenance by address range, as the architectures do it (sources in 6.12):
 * - clean (`dc cvac`, arm64 `dcache_clean_poc`; `arm926_dma_clean_range`): dirty lines are
 *   written back and stay valid;
 * - invalidate (`dc ivac`, arm64 `dcache_inval_poc`; `arm926_dma_inv_range`): lines wholly
 *   inside the range are dropped (dirty data is lost on purpose: the device is about to
 *   overwrite it); lines only partly inside are cleaned and invalidated (`dc civac`), so bytes
 *   of a neighbour sharing the line survive;
 * - flush (`dc civac`; `arm926_dma_flush_range`): clean and invalidate.
 * arch/arm64/mm/cache.S and arch/arm/mm/proc-arm926.S are not in the extracted 6.12 tree used
 * here; their behaviour was read in mainline.
 */
import type { CacheLine, Memory } from './coherence-types.ts';

/** What happened to lines during an operation (line indexes, ascending, no repeats). */
export interface LineReport {
  /** Lines written back to RAM (dirty data copied out). */
  written: number[];
  /** Lines invalidated (dropped from the cache). */
  dropped: number[];
  /** Lines brought into the cache from RAM (misses). */
  filled: number[];
  /** Lines found in the cache (hits). */
  hits: number[];
}

const emptyReport = (): LineReport => ({ written: [], dropped: [], filled: [], hits: [] });

function add(list: number[], n: number): void {
  if (!list.includes(n)) list.push(n);
}

/** Lines overlapping `[addr, addr + len)`, ascending; `[]` for `len <= 0`. */
export function linesOf(lineSize: number, addr: number, len: number): number[] {
  if (len <= 0) return [];
  const first = Math.floor(addr / lineSize);
  const last = Math.floor((addr + len - 1) / lineSize);
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** An empty (all invalid) cache for `ramLines` lines of `lineSize` bytes. */
export function emptyCache(ramLines: number, lineSize: number): CacheLine[] {
  return Array.from({ length: ramLines }, (_, n) => ({ addr: n * lineSize, valid: false, dirty: false, data: [] }));
}

/** A mutable working copy: the arrays that change are copied on first write. */
class Draft {
  ram: number[] | null = null;
  cache: CacheLine[] | null = null;
  report = emptyReport();
  readonly base: Memory;
  constructor(base: Memory) {
    this.base = base;
  }
  get lineSize(): number {
    return this.base.lineSize;
  }
  r(): number[] {
    return this.ram ?? this.base.ram;
  }
  c(): CacheLine[] {
    return this.cache ?? this.base.cache;
  }
  wram(): number[] {
    if (!this.ram) this.ram = this.base.ram.slice();
    return this.ram;
  }
  setLine(n: number, line: CacheLine): void {
    if (!this.cache) this.cache = this.base.cache.slice();
    this.cache[n] = line;
  }
  done(): { mem: Memory; report: LineReport } {
    for (const k of ['written', 'dropped', 'filled', 'hits'] as const) this.report[k].sort((a, b) => a - b);
    const mem: Memory = this.ram || this.cache ? { ...this.base, ram: this.r(), cache: this.c() } : this.base;
    return { mem, report: this.report };
  }
  /** Writes a dirty line back to RAM; it stays valid and becomes clean. */
  writeBack(n: number): void {
    const l = this.c()[n];
    if (!l.valid || !l.dirty) return;
    const ram = this.wram();
    for (let i = 0; i < this.lineSize; i++) ram[l.addr + i] = l.data[i];
    this.setLine(n, { ...l, dirty: false });
    add(this.report.written, n);
  }
  drop(n: number): void {
    const l = this.c()[n];
    if (!l.valid) return;
    this.setLine(n, { addr: l.addr, valid: false, dirty: false, data: [] });
    add(this.report.dropped, n);
  }
  /** Brings line `n` in from RAM if it is not there. */
  fill(n: number): CacheLine {
    const l = this.c()[n];
    if (l.valid) {
      add(this.report.hits, n);
      return l;
    }
    const ram = this.r();
    const line: CacheLine = { addr: l.addr, valid: true, dirty: false, data: ram.slice(l.addr, l.addr + this.lineSize) };
    this.setLine(n, line);
    add(this.report.filled, n);
    return line;
  }
}

/**
 * The CPU loads `len` bytes from `addr`: a hit returns the cached bytes (however stale), a
 * miss fills the line from RAM first; uncached lines are read from RAM and never cached.
 * Returns the bytes and the report (`hits`, `filled`).
 */
export function cpuRead(mem: Memory, addr: number, len: number): { mem: Memory; bytes: number[]; report: LineReport } {
  const d = new Draft(mem);
  const ls = mem.lineSize;
  const lines = new Map<number, CacheLine>();
  for (const n of linesOf(ls, addr, len)) if (!mem.uncached[n]) lines.set(n, d.fill(n));
  const bytes: number[] = [];
  for (let a = addr; a < addr + len; a++) {
    const l = lines.get(Math.floor(a / ls));
    bytes.push(l ? l.data[a - l.addr] : d.r()[a]);
  }
  const r = d.done();
  return { mem: r.mem, bytes, report: r.report };
}

/**
 * The CPU stores `bytes` at `addr`: write-allocate (a miss fills the line first), then the line
 * is modified and dirty; uncached lines are written straight to RAM.
 */
export function cpuWrite(mem: Memory, addr: number, bytes: readonly number[]): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  const ls = mem.lineSize;
  for (const n of linesOf(ls, addr, bytes.length)) {
    const lo = Math.max(addr, n * ls);
    const hi = Math.min(addr + bytes.length, (n + 1) * ls);
    if (mem.uncached[n]) {
      const ram = d.wram();
      for (let a = lo; a < hi; a++) ram[a] = bytes[a - addr];
      continue;
    }
    const l = d.fill(n);
    const data = l.data.slice();
    for (let a = lo; a < hi; a++) data[a - l.addr] = bytes[a - addr];
    d.setLine(n, { ...l, dirty: true, data });
  }
  return d.done();
}

/** Clean `[addr, addr + len)`: dirty lines are written back and stay valid and clean. */
export function cleanRange(mem: Memory, addr: number, len: number): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  for (const n of linesOf(mem.lineSize, addr, len)) d.writeBack(n);
  return d.done();
}

/** Invalidate `[addr, addr + len)`: whole lines inside are dropped without write-back; lines
 *  only partly inside are cleaned first (`dc civac` at the edges, as arm64's
 *  `dcache_inval_poc` and `arm926_dma_inv_range` do). */
export function invalidateRange(mem: Memory, addr: number, len: number): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  const ls = mem.lineSize;
  for (const n of linesOf(ls, addr, len)) {
    const whole = n * ls >= addr && (n + 1) * ls <= addr + len;
    if (!whole) d.writeBack(n);
    d.drop(n);
  }
  return d.done();
}

/** Clean and invalidate `[addr, addr + len)` (`dc civac`): write back dirty lines, drop all. */
export function flushRange(mem: Memory, addr: number, len: number): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  for (const n of linesOf(mem.lineSize, addr, len)) {
    d.writeBack(n);
    d.drop(n);
  }
  return d.done();
}

/** The cache evicts line `n`: a dirty line is written back, then the line is dropped. */
export function evictLine(mem: Memory, n: number): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  d.writeBack(n);
  d.drop(n);
  return d.done();
}

/** The CPU fills line `n` speculatively from RAM (no effect if it is valid). */
export function fillLine(mem: Memory, n: number): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  d.fill(n);
  return d.done();
}

/**
 * The device reads `len` bytes of RAM at physical `addr`. With `snoop` (a coherent platform),
 * dirty cache lines are written back first (the interconnect supplies the CPU's copy), so the
 * device sees what the CPU wrote; without it, the device sees RAM as it is.
 */
export function deviceRead(mem: Memory, addr: number, len: number, snoop: boolean): { mem: Memory; bytes: number[]; report: LineReport } {
  const d = new Draft(mem);
  if (snoop) for (const n of linesOf(mem.lineSize, addr, len)) d.writeBack(n);
  const bytes = d.r().slice(addr, addr + len);
  const r = d.done();
  return { mem: r.mem, bytes, report: r.report };
}

/**
 * The device writes `bytes` to RAM at physical `addr`. With `snoop`, the CPU's copies of those
 * lines are written back if dirty and then invalidated before the write lands, so the next CPU
 * load misses and sees the device's bytes; without it the cache keeps whatever it had, stale or
 * dirty (a dirty line evicted later overwrites the device's data).
 */
export function deviceWrite(mem: Memory, addr: number, bytes: readonly number[], snoop: boolean): { mem: Memory; report: LineReport } {
  const d = new Draft(mem);
  if (snoop) {
    for (const n of linesOf(mem.lineSize, addr, bytes.length)) {
      d.writeBack(n);
      d.drop(n);
    }
  }
  const ram = d.wram();
  bytes.forEach((v, i) => {
    ram[addr + i] = v;
  });
  return d.done();
}
