/**
 * A session: the caches-and-ownership model (`./coherence.ts`) driven by direct calls, the way a
 * driver calls the DMA API, for exercises and for building presets.
 *
 *     const k = createDmaSession({ platform: 'noncoherent-arm' });
 *     const h = k.dma_map_single(0x40, 32, DMA_FROM_DEVICE);
 *     if (k.dma_mapping_error(h)) return;
 *     k.startDeviceReceive(h, 32);             // the device will write the next 32 incoming bytes
 *     k.waitForDevice();
 *     k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
 *     const data = k.readBuffer(0x40, 32);
 *     k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
 *
 * Every call is one CPU step of the model (`waitForDevice` also runs the device to the end of
 * its transfer first); the session keeps every state, each with its narration and kernel
 * source, and records the calls as the model's `program`. No evictions happen in a session
 * unless asked for (`evict`, `fill`).
 *
 * `exploreEvictions(options, routine)` is the grader's check: it records the routine once (it
 * must be deterministic: the same calls for the same results), then lets the explorer
 * (`../explore/explore.ts`) try every interleaving of the device with the routine and every
 * order of cache evictions (and, on arm64, speculative fills) for that call sequence, and
 * reports whether every one of them reads the right data with the DMA-API checker silent.
 * Only the recorded path is explored: a routine that branches on the data it reads is judged
 * on the branch it took when recorded.
 *
 * No module-level state: each session owns its states.
 */
import { replay } from '../core/model.ts';
import { explore } from '../explore/explore.ts';
import type { ExploreOptions, ExploreStats } from '../explore/explore.ts';
import { callText, coherenceActor, coherenceInitialState, coherenceKey, coherenceModel, coherenceParams, dmaCorrect, validateProgram } from './coherence.ts';
import type { CoherenceOptions } from './coherence.ts';
import type { CohChoice, CoherenceParams, CoherenceState, CpuOp, Finding, OpResult } from './coherence-types.ts';
import { DMA_MAPPING_ERROR } from './debug.ts';
import type { DmaDirection } from './types.ts';

/** `DMA_TO_DEVICE` etc. as values, for code that reads like a driver. */
export const DMA_BIDIRECTIONAL: DmaDirection = 'DMA_BIDIRECTIONAL';
export const DMA_TO_DEVICE: DmaDirection = 'DMA_TO_DEVICE';
export const DMA_FROM_DEVICE: DmaDirection = 'DMA_FROM_DEVICE';
/** `DMA_ATTR_SKIP_CPU_SYNC` (include/linux/dma-mapping.h: bit 5). */
export const DMA_ATTR_SKIP_CPU_SYNC = 1 << 5;

/** A scatterlist made by `sg_init_table`: pass it to the sg calls. */
export interface Scatterlist {
  /** Index of the table in the state (`state.sgTables[sg]`). */
  readonly sg: number;
  /** Its entries: the `nents` that `dma_map_sg`, `dma_unmap_sg` and the sg syncs take. */
  readonly orig_nents: number;
}

/** A coherent allocation: `dma_alloc_coherent`'s return value and its `*dma_handle`. */
export interface CoherentBuffer {
  cpu_addr: number;
  dma_handle: number;
}

/** The DMA API a driver (or a learner's routine) calls, with the kernel's names and argument
 *  order, `dev` left out. Addresses and sizes in bytes. Bad arguments (not integers, ranges
 *  outside RAM, an unknown scatterlist) throw `RangeError`; misuse the kernel would accept
 *  (a wrong handle, size, direction or count) is carried out and reported by the checker. */
export interface DmaApi {
  /** `dma_map_single(dev, cpu_addr, size, dir)` (attrs: 0 or DMA_ATTR_SKIP_CPU_SYNC): the
   *  handle (`dma_addr_t`) the device must use, or DMA_MAPPING_ERROR (-1). */
  dma_map_single(cpu_addr: number, size: number, dir: DmaDirection, attrs?: number): number;
  /** `dma_mapping_error(dev, handle)`: -ENOMEM (-12) for DMA_MAPPING_ERROR, else 0. */
  dma_mapping_error(handle: number): number;
  /** `dma_unmap_single(dev, handle, size, dir)` (attrs: 0 or DMA_ATTR_SKIP_CPU_SYNC). */
  dma_unmap_single(handle: number, size: number, dir: DmaDirection, attrs?: number): void;
  /** `dma_sync_single_for_cpu(dev, handle, size, dir)`: hands the buffer to the CPU. */
  dma_sync_single_for_cpu(handle: number, size: number, dir: DmaDirection): void;
  /** `dma_sync_single_for_device(dev, handle, size, dir)`: hands the buffer back to the device. */
  dma_sync_single_for_device(handle: number, size: number, dir: DmaDirection): void;
  /** `sg_init_table` + `sg_set_buf` for each `{buf, len}`. */
  sg_init_table(bufs: readonly { buf: number; len: number }[]): Scatterlist;
  /** `dma_map_sg(dev, sgl, nents, dir)`: the number of DMA segments (0 on failure). */
  dma_map_sg(sgl: Scatterlist, nents: number, dir: DmaDirection): number;
  /** `dma_unmap_sg(dev, sgl, nents, dir)`: `nents` must be the count passed to `dma_map_sg`. */
  dma_unmap_sg(sgl: Scatterlist, nents: number, dir: DmaDirection): void;
  /** `dma_sync_sg_for_cpu(dev, sgl, nents, dir)`. */
  dma_sync_sg_for_cpu(sgl: Scatterlist, nents: number, dir: DmaDirection): void;
  /** `dma_sync_sg_for_device(dev, sgl, nents, dir)`. */
  dma_sync_sg_for_device(sgl: Scatterlist, nents: number, dir: DmaDirection): void;
  /** `sg_dma_address(&sgl[i])`: null before the entry was ever mapped. */
  sg_dma_address(sgl: Scatterlist, i: number): number | null;
  /** `sg_dma_len(&sgl[i])`. */
  sg_dma_len(sgl: Scatterlist, i: number): number;
  /** `dma_alloc_coherent(dev, size, &dma_handle, GFP_KERNEL)`: null when the pool is full. */
  dma_alloc_coherent(size: number): CoherentBuffer | null;
  /** `dma_free_coherent(dev, size, cpu_addr, dma_handle)`. */
  dma_free_coherent(size: number, cpu_addr: number, dma_handle: number): void;
}

/** A session: the DMA API plus the CPU's loads and stores, the device, and the record. */
export interface DmaSession extends DmaApi {
  /** The current state. */
  readonly state: CoherenceState;
  /** Every state so far, the initial one first. */
  readonly states: readonly CoherenceState[];
  /** The calls so far, as the model's program. */
  readonly program: readonly CpuOp[];
  /** The checker's findings so far. */
  readonly findings: readonly Finding[];
  /** The CPU loads `len` bytes at `addr` (through its cache): returns them. */
  readBuffer(addr: number, len: number): number[];
  /** The CPU stores `bytes` at `addr` (through its cache). */
  writeBuffer(addr: number, bytes: readonly number[]): void;
  /** Starts the device writing `data` to memory at bus address `target` (a handle), or across
   *  `target`'s segments in order (their lengths must add up to `data.length`). */
  startDeviceWrite(target: number | readonly { addr: number; len: number }[], data: readonly number[]): void;
  /** Starts the device writing the next `len` bytes of the session's incoming stream (a
   *  receive); with segments, `len` is their total. */
  startDeviceReceive(target: number | readonly { addr: number; len: number }[], len?: number): void;
  /** Starts the device reading `len` bytes of memory at `target` (a transmit). */
  startDeviceRead(target: number | readonly { addr: number; len: number }[], len?: number): void;
  /** Runs the device to the end of its transfer and takes its interrupt: returns the bytes it
   *  moved (a read: what it sent; a write: what it wrote). Throws `RangeError` when nothing was
   *  started. */
  waitForDevice(): number[];
  /** The driver is unbound: dma-debug's leak check. Returns all findings. Further calls throw. */
  teardown(): Finding[];
  /** The cache evicts `line` now (it must be valid; `Error` otherwise). */
  evict(line: number): void;
  /** The CPU fills `line` speculatively now (only where the model allows it; `Error` otherwise). */
  fill(line: number): void;
  /** The bytes the incoming stream has handed out so far. */
  readonly received: readonly number[];
}

/** Session options: the model's (see `coherenceParams`; no `program`), plus `incoming`, the
 *  bytes the device receives from the outside world in order (default: 0x01, 0x02, …, 0xff,
 *  0x01, … — never 0, so zeroed buffers show stale data plainly). */
export type DmaSessionOptions = Omit<CoherenceOptions, 'program'> & { incoming?: number[] };

/** The default incoming byte `i` (0-based): 1..255 repeating. */
export function incomingByte(i: number): number {
  return (i % 255) + 1;
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

function attrsSkip(attrs: number | undefined, fn: string): boolean {
  if (attrs === undefined || attrs === 0) return false;
  if (attrs === DMA_ATTR_SKIP_CPU_SYNC) return true;
  throw new RangeError(`${fn}: attrs must be 0 or DMA_ATTR_SKIP_CPU_SYNC, got ${String(attrs)}`);
}

/**
 * Creates a session from options (validated: `RangeError`), or continues from a state (its
 * program must have run to its end and the driver not be unbound).
 */
export function createDmaSession(from: DmaSessionOptions | CoherenceState): DmaSession {
  let start: CoherenceState;
  let incoming: number[] | null = null;
  if ('mem' in from && 'cpu' in from) {
    start = from;
    if (start.cpu.pc !== start.params.program.length || start.cpu.phase !== 'run') throw new RangeError('createDmaSession: the state must have run its whole program, driver still bound');
  } else {
    const opts = from as DmaSessionOptions & { program?: unknown };
    if (opts.program !== undefined && !(Array.isArray(opts.program) && opts.program.length === 0)) throw new RangeError('createDmaSession: options take no program (the session records one)');
    if (opts.incoming !== undefined) {
      if (!Array.isArray(opts.incoming) || opts.incoming.some((b) => !isInt(b) || b < 0 || b > 255)) throw new RangeError('createDmaSession: incoming must be an array of bytes 0..255');
      incoming = opts.incoming.slice();
    }
    const { incoming: _drop, ...rest } = opts;
    void _drop;
    start = coherenceInitialState(coherenceParams({ ...rest, program: [] }));
  }
  const states: CoherenceState[] = [start];
  const received: number[] = [];
  const cur = (): CoherenceState => states[states.length - 1];

  /** The next `len` bytes of the incoming stream, without taking them. */
  const peekIncoming = (len: number): number[] => {
    const k = received.length;
    if (incoming && k + len > incoming.length) throw new RangeError(`startDeviceReceive: the incoming stream has only ${incoming.length - k} bytes left`);
    return Array.from({ length: len }, (_, i) => (incoming ? incoming[k + i] : incomingByte(k + i)));
  };

  /** Appends `op` to the program (validated) and runs it. Returns its result. */
  const call = (op: CpuOp): OpResult => {
    const s = cur();
    if (s.cpu.phase === 'done') throw new Error(`${callText(op)}: the driver was unbound (teardown)`);
    const params: CoherenceParams = { ...s.params, program: [...s.params.program, op] };
    try {
      validateProgram(params);
    } catch (e) {
      const msg = (e as Error).message.replace(/^coherence params: program\[\d+\] \(([^)]+)\): /, '$1: ');
      throw new RangeError(msg);
    }
    const next = coherenceModel.step({ ...s, params }, { kind: 'cpu' });
    states.push(next);
    return next.cpu.results[s.cpu.pc];
  };

  const segsOf = (target: number | readonly { addr: number; len: number }[], len: number | undefined, fn: string): { addr: number; len: number }[] => {
    if (typeof target === 'number') {
      if (!isInt(len) || len < 1) throw new RangeError(`${fn}: len must be an integer >= 1 when the target is one handle`);
      return [{ addr: target, len }];
    }
    if (!Array.isArray(target)) throw new RangeError(`${fn}: target must be a handle or an array of {addr, len}`);
    const segs = target.map((t) => ({ addr: t.addr, len: t.len }));
    const total = segs.reduce((a, t) => a + t.len, 0);
    if (len !== undefined && len !== total) throw new RangeError(`${fn}: len (${len}) differs from the segments' total (${total})`);
    return segs;
  };

  const checkSg = (sgl: Scatterlist, fn: string): void => {
    if (typeof sgl !== 'object' || sgl === null || !isInt(sgl.sg) || !cur().sgTables[sgl.sg]) throw new RangeError(`${fn}: not a scatterlist from sg_init_table`);
  };

  const session: DmaSession = {
    get state() {
      return cur();
    },
    get states() {
      return states;
    },
    get program() {
      return cur().params.program;
    },
    get findings() {
      return cur().findings;
    },
    get received() {
      return received;
    },
    dma_map_single(cpu_addr, size, dir, attrs) {
      const r = call({ op: 'dma_map_single', cpu_addr, size, dir, ...(attrsSkip(attrs, 'dma_map_single') ? { skipCpuSync: true } : {}) });
      return r.kind === 'handle' ? r.handle : DMA_MAPPING_ERROR;
    },
    dma_mapping_error(handle) {
      const r = call({ op: 'dma_mapping_error', handle });
      return r.kind === 'int' ? r.value : 0;
    },
    dma_unmap_single(handle, size, dir, attrs) {
      call({ op: 'dma_unmap_single', handle, size, dir, ...(attrsSkip(attrs, 'dma_unmap_single') ? { skipCpuSync: true } : {}) });
    },
    dma_sync_single_for_cpu(handle, size, dir) {
      call({ op: 'dma_sync_single_for_cpu', handle, size, dir });
    },
    dma_sync_single_for_device(handle, size, dir) {
      call({ op: 'dma_sync_single_for_device', handle, size, dir });
    },
    sg_init_table(bufs) {
      if (!Array.isArray(bufs)) throw new RangeError('sg_init_table: bufs must be an array of {buf, len}');
      const r = call({ op: 'sg_init_table', bufs: bufs.map((b) => ({ buf: b.buf, len: b.len })) });
      const sg = r.kind === 'sg' ? r.sg : -1;
      return { sg, orig_nents: bufs.length };
    },
    dma_map_sg(sgl, nents, dir) {
      checkSg(sgl, 'dma_map_sg');
      const r = call({ op: 'dma_map_sg', sg: sgl.sg, nents, dir });
      return r.kind === 'int' ? r.value : 0;
    },
    dma_unmap_sg(sgl, nents, dir) {
      checkSg(sgl, 'dma_unmap_sg');
      call({ op: 'dma_unmap_sg', sg: sgl.sg, nents, dir });
    },
    dma_sync_sg_for_cpu(sgl, nents, dir) {
      checkSg(sgl, 'dma_sync_sg_for_cpu');
      call({ op: 'dma_sync_sg_for_cpu', sg: sgl.sg, nents, dir });
    },
    dma_sync_sg_for_device(sgl, nents, dir) {
      checkSg(sgl, 'dma_sync_sg_for_device');
      call({ op: 'dma_sync_sg_for_device', sg: sgl.sg, nents, dir });
    },
    sg_dma_address(sgl, i) {
      checkSg(sgl, 'sg_dma_address');
      const e = cur().sgTables[sgl.sg].entries[i];
      if (!e) throw new RangeError(`sg_dma_address: entry ${i} is not in the table (0..${sgl.orig_nents - 1})`);
      return e.dma_address;
    },
    sg_dma_len(sgl, i) {
      checkSg(sgl, 'sg_dma_len');
      const e = cur().sgTables[sgl.sg].entries[i];
      if (!e) throw new RangeError(`sg_dma_len: entry ${i} is not in the table (0..${sgl.orig_nents - 1})`);
      return e.dma_length;
    },
    dma_alloc_coherent(size) {
      const r = call({ op: 'dma_alloc_coherent', size });
      return r.kind === 'coherent' && r.cpu_addr !== null && r.handle !== null ? { cpu_addr: r.cpu_addr, dma_handle: r.handle } : null;
    },
    dma_free_coherent(size, cpu_addr, dma_handle) {
      call({ op: 'dma_free_coherent', size, cpu_addr, handle: dma_handle });
    },
    readBuffer(addr, len) {
      const r = call({ op: 'read', addr, len });
      return r.kind === 'bytes' ? r.bytes.slice() : [];
    },
    writeBuffer(addr, bytes) {
      if (!Array.isArray(bytes)) throw new RangeError('writeBuffer: bytes must be an array');
      call({ op: 'write', addr, bytes: bytes.slice() });
    },
    startDeviceWrite(target, data) {
      if (!Array.isArray(data)) throw new RangeError('startDeviceWrite: data must be an array of bytes');
      call({ op: 'start_device', dma: 'write', segs: segsOf(target, data.length, 'startDeviceWrite'), data: data.slice() });
    },
    startDeviceReceive(target, len) {
      const segs = segsOf(target, len, 'startDeviceReceive');
      const total = segs.reduce((a, t) => a + t.len, 0);
      const data = peekIncoming(total);
      call({ op: 'start_device', dma: 'write', segs, data });
      received.push(...data);
    },
    startDeviceRead(target, len) {
      call({ op: 'start_device', dma: 'read', segs: segsOf(target, len, 'startDeviceRead') });
    },
    waitForDevice() {
      const s = cur();
      if (s.cpu.phase === 'done') throw new Error('waitForDevice: the driver was unbound (teardown)');
      const params: CoherenceParams = { ...s.params, program: [...s.params.program, { op: 'wait' }] };
      try {
        validateProgram(params);
      } catch {
        throw new RangeError('waitForDevice: no transfer was started since the last wait');
      }
      let t = { ...s, params };
      while (t.device.op !== null) {
        t = coherenceModel.step(t, { kind: 'device' });
        states.push(t);
      }
      t = coherenceModel.step(t, { kind: 'cpu' });
      states.push(t);
      const done = t.device.transfers[t.device.transfers.length - 1];
      return done ? done.data.slice() : [];
    },
    teardown() {
      const s = cur();
      if (s.cpu.phase === 'done') throw new Error('teardown: the driver was already unbound');
      states.push(coherenceModel.step(s, { kind: 'cpu' }));
      return cur().findings.slice();
    },
    evict(line) {
      states.push(coherenceModel.step(cur(), { kind: 'evict', line }));
    },
    fill(line) {
      states.push(coherenceModel.step(cur(), { kind: 'fill', line }));
    },
  };
  return session;
}

/** The buffer a small configuration's driver uses: two lines from the middle of RAM (0x40,
 *  32 bytes with the defaults): above the device's reach on `'swiotlb'`, so it bounces there. */
export function defaultBuffer(p: Pick<CoherenceParams, 'lineSize' | 'ramLines'>): { addr: number; len: number } {
  return { addr: Math.floor(p.ramLines / 2) * p.lineSize, len: 2 * p.lineSize };
}

/**
 * Records a routine on a fresh session (options as for `createDmaSession`), unbinding the
 * driver at the end if the routine did not. Returns the session (its states are the recorded
 * run without evictions) and the complete model parameters with the recorded program.
 */
export function recordRoutine<R>(options: DmaSessionOptions, routine: (k: DmaSession) => R): { session: DmaSession; params: CoherenceParams; returned: R } {
  const k = createDmaSession(options);
  const returned = routine(k);
  if (k.state.cpu.phase !== 'done') k.teardown();
  return { session: k, params: { ...k.state.params }, returned };
}

/** What `exploreEvictions` found. */
export interface EvictionReport<R = unknown> {
  /** Every schedule tried reads the right data and leaves the checker silent. */
  ok: boolean;
  /** What the routine returned when it was recorded (e.g. the packet it read). */
  returned: R;
  /** The recorded run (no evictions, the device running only while the routine waits). */
  recorded: CoherenceState[];
  verdict: 'proved' | 'counterexample' | 'incomplete';
  /** The routine's calls, as recorded. */
  program: CpuOp[];
  /** The model parameters explored (with the program). */
  params: CoherenceParams;
  stats: ExploreStats;
  /** The checker's findings in the recorded run (no evictions). */
  recordedFindings: Finding[];
  /** For 'incomplete': why the search stopped ('states', 'time' or 'cancelled'). */
  reason?: string;
  /** For 'counterexample': the shortest schedule that goes wrong. */
  counterexample?: {
    /** Which property failed: 'data right and DMA-API checker silent'. */
    property: string;
    /** What went wrong (the wrong read, or the first finding). */
    message: string;
    /** The scheduler's choices from the initial state (replay with `coherenceModel`). */
    schedule: CohChoice[];
    /** The cache's choices in that schedule, each placed after the call it follows, e.g.
     *  "after program[1] (dma_map_single(...)): cache: evict line 4 (dirty: written back)";
     *  "no eviction" when there were none. */
    evictions: string[];
    /** One line per step: the choice described. */
    trace: string[];
    /** One paragraph for a learner: the eviction order and what went wrong. */
    description: string;
    /** The replayed states, initial first (for a player). */
    states: CoherenceState[];
  };
}

/**
 * The grader's check of a receive (or transmit) routine: records `routine` once on a session
 * made from `options`, then explores every interleaving of the device with the recorded calls
 * and every order of cache evictions and speculative fills (`coherenceModel`, final property
 * `dmaCorrect`), up to the explorer's limits (`exploreOptions`, default 500,000 states and
 * 20 s). `ok` only when proved. Throws what the routine throws (e.g. `RangeError`).
 */
export function exploreEvictions<R>(options: DmaSessionOptions, routine: (k: DmaSession) => R, exploreOptions: ExploreOptions = {}): EvictionReport<R> {
  const { session, params, returned } = recordRoutine(options, routine);
  const recordedFindings = session.state.findings.slice();
  const r = explore(
    { model: coherenceModel, params, seed: 0, final: dmaCorrect, key: coherenceKey, actor: coherenceActor },
    { maxStates: 500_000, maxTimeMs: 20_000, ...exploreOptions },
  );
  const base = { returned, recorded: session.states.slice(), program: params.program.slice(), params, stats: r.stats, recordedFindings };
  if (r.verdict === 'proved') return { ok: true, verdict: 'proved', ...base };
  if (r.verdict === 'incomplete') return { ok: false, verdict: 'incomplete', reason: r.reason, ...base };
  const states = replay(coherenceModel, params, 0, r.schedule);
  const trace: string[] = [];
  const evictions: string[] = [];
  r.schedule.forEach((c, i) => {
    const s = states[i];
    const d = coherenceModel.describeChoice(s, c);
    trace.push(`${i + 1}. ${d}`);
    if (c.kind === 'evict' || c.kind === 'fill') {
      const pc = s.cpu.pc;
      const after = pc === 0 ? 'before the first call' : `after program[${pc - 1}] (${callText(params.program[pc - 1])})`;
      evictions.push(`${after}: ${d}`);
    }
  });
  const order = evictions.length ? `Eviction order: ${evictions.join('; then ')}.` : 'No eviction is needed: the routine goes wrong in the recorded order.';
  return {
    ok: false,
    verdict: 'counterexample',
    ...base,
    counterexample: {
      property: r.invariant,
      message: r.message,
      schedule: r.schedule,
      evictions: evictions.length ? evictions : ['no eviction'],
      trace,
      description: `${order} Then ${r.message}.`,
      states,
    },
  };
}
