/**
 * The data-acquisition model: a capture device streaming into the host, for the three driver
 * designs of the capstone lesson. A discrete-event simulation: each step is one activity
 * ending on one lane (device, DMA engine, interrupt, kernel thread, process); time is
 * `t_ns`. Pure and deterministic (no randomness at all): the same parameters give the same
 * run, step by step.
 *
 * The device produces `rate_Bps` bytes per second into an on-board FIFO of `fifo_bytes`.
 * Whatever arrives while the FIFO is full is lost and counted (`lost_bytes`). Something must
 * empty the FIFO:
 *
 * - Design A (the first attempt): a kernel thread polls a data-ready register (one non-posted
 *   MMIO read), sleeps with `msleep(1)` when nothing is ready, and otherwise copies one
 *   `chunk_bytes` transaction out of device memory with CPU reads (`readl`, one PCIe round
 *   trip per 4 bytes) into a kmalloc buffer. When a frame is complete it sends the process a
 *   signal; the handler calls an ioctl whose `copy_to_user` copies the frame a second time.
 * - Design B: a blocking `read()` of `read_bytes` pins the user buffer
 *   (`pin_user_pages_fast`), builds a scatterlist (`sg_alloc_table_from_pages_segment`),
 *   maps it (`dma_map_sgtable`), writes one descriptor per segment and sleeps on a wait
 *   queue; the DMA engine moves the data straight into the pinned pages, an MSI at the end
 *   wakes the reader, which unmaps and unpins (`unpin_user_pages_dirty_lock`). With
 *   `reads_in_flight` = 2 the next read is queued before the first completes (two threads, or
 *   io_uring), so the device never waits for the software.
 * - Design C: a ring of `ring_buffers` driver-allocated DMA buffers of `frame_bytes`, mapped
 *   into the process once, with a control page of free-running counters (`produced`,
 *   `consumed`). The interrupt handler publishes `produced`; the process waits in `poll()`
 *   only when nothing is ready, uses each buffer in place and hands it back with a release
 *   call as soon as it is done. A full ring stops the DMA: the FIFO fills and overflows, and the driver
 *   counts an overrun instead of overwriting a buffer user space still owns.
 *
 * Departures from a real machine (on purpose, to keep the model small): the kernel thread, the
 * interrupt handler and the process each have their own CPU (no contention); in design A the
 * FIFO is emptied when a chunk's copy ends rather than word by word; user pages never merge
 * into larger segments (one descriptor per 4 KiB page in design B); each ring buffer is
 * physically contiguous (one descriptor in design C). Costs are the table in `./costs.ts`.
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';
import { DEFAULT_COSTS, validateCosts, type CostTable } from './costs.ts';

/** Kernel version the modelled calls were read in. */
export const KERNEL_VERSION = '6.12';
/** Page size the model uses for pinning and descriptors, in bytes. */
export const PAGE_BYTES = 4096;
/** 1 MiB in bytes. */
export const MiB = 1 << 20;
/** Bars kept in a state for the timeline (the oldest fall off). */
export const MAX_BARS = 60;
/** Longest run the model accepts, in ns (1 s of device time). */
export const MAX_HORIZON_NS = 1e9;

export type Design = 'A' | 'B' | 'C';
export type Lane = 'device' | 'dma' | 'irq' | 'kthread' | 'process';
/** Lanes in display (and tie-break) order. */
export const LANES: readonly Lane[] = ['device', 'dma', 'irq', 'kthread', 'process'];

/** Parameters of a run. All sizes in bytes, rates in bytes/s, times in ns. */
export interface DaqParams {
  design: Design;
  /** Bytes/s the device produces (the source question needs about 350 MB/s). */
  rate_Bps: number;
  /** On-board FIFO size, bytes (>= chunk_bytes in design A). */
  fifo_bytes: number;
  /** The device's transaction: what sets the data-ready bit (design A) and what one DMA step moves. */
  chunk_bytes: number;
  /** A frame: what the process is told about (design A signal) and the size of a ring buffer (design C). */
  frame_bytes: number;
  /** Bytes per read() call (design B), a multiple of 4096. */
  read_bytes: number;
  /** read() calls queued at once (design B): 1 or 2. */
  reads_in_flight: number;
  /** Buffers in the ring (design C): 1 to 64. */
  ring_buffers: number;
  /** Device time to simulate, in ns (1 µs to 1 s). */
  horizon_ns: number;
  costs: CostTable;
}

/** One activity drawn on the timeline: lane, interval, a short label, and its kind (for styling). */
export interface Bar {
  lane: Lane;
  t0_ns: number;
  t1_ns: number;
  label: string;
  kind: string;
}

/** A pending activity that ends at `t_ns`; applying it is one step. */
export interface PendingEvent {
  t_ns: number;
  t0_ns: number;
  lane: Lane;
  /** What happens at the end (see `applyEvent`). */
  kind: string;
  /** Bytes involved (a chunk, a frame, a read). */
  bytes: number;
  /** A read id (design B) or a ring slot (design C), else -1. */
  ref: number;
}

/** One transfer the DMA engine holds descriptors for. */
export interface Transfer {
  /** Read id (design B) or ring slot (design C). */
  ref: number;
  total: number;
  left: number;
}

/** Who owns a ring buffer (design C): the device (armed for DMA), the driver (filled, not yet published) or user space. */
export type SlotOwner = 'device' | 'driver' | 'user';

/** Counters of a run so far. */
export interface DaqCounters {
  produced_bytes: number;
  lost_bytes: number;
  /** Bytes that reached the process (in its buffer, or in a ring buffer it was told about). */
  delivered_bytes: number;
  /** Bytes the DMA engine wrote to memory. */
  dma_bytes: number;
  /** Bytes taken out of the device's FIFO (by DMA, or by the CPU's readl loop in design A). */
  moved_bytes: number;
  /** Bytes a CPU copied (PIO reads of the device, copy_to_user). */
  cpu_copied_bytes: number;
  frames: number;
  syscalls: number;
  signals: number;
  interrupts: number;
  mmio_reads: number;
  mmio_writes: number;
  pages_pinned: number;
  /** Times the device had data and no buffer to put it in because the ring was full (design C). */
  overruns: number;
  /** CPU time by lane, ns. */
  busy_ns: { kthread: number; irq: number; process: number };
  /** Where the CPU time went, by term (ns): `mmio_read`, `poll_sleep`, `copy_to_user`, `pin`, … */
  breakdown_ns: Record<string, number>;
}

export interface DaqState {
  params: DaqParams;
  t_ns: number;
  /** FIFO fill level at `t_ns`. */
  fifo_level: number;
  /** When the current overflow started (FIFO full and nothing draining), or -1. */
  full_since_ns: number;
  /** DMA engine: the transfers it holds descriptors for, first = in progress. */
  dma_queue: Transfer[];
  /** What empties the FIFO now, in bytes/s (the DMA engine, the CPU's readl loop, or 0 for nothing),
   *  since when, and the FIFO level then (the level at any later time follows from these). */
  drain_Bps: number;
  drain_t0_ns: number;
  drain_level0: number;
  pending: PendingEvent[];
  /** Design A: bytes of the current frame in the kmalloc buffer; frames waiting for the process. */
  kbuf_bytes: number;
  frames_waiting: number;
  /** Design B: next read id; reads completed (wait queue woken) but not yet returned, in order. */
  next_read: number;
  reads_done: number[];
  /** The read the process sleeps on (design B), or -1. */
  waiting_read: number;
  /** Design C: the control page and each buffer's owner; whether the process sleeps in poll(). */
  produced: number;
  consumed: number;
  slots: SlotOwner[];
  in_poll: boolean;
  /** Buffers the process has used since its last release (design C). */
  to_release: number;
  counters: DaqCounters;
  bars: Bar[];
  event: StepEvent | null;
}

/** A scheduler choice: apply the pending event that ends first on this lane. */
export interface DaqChoice {
  lane: Lane;
}

const src = (file: string, fn: string): KernelSource => ({ file, fn, version: KERNEL_VERSION });
/** Kernel sources the steps model (all read in Linux 6.12). */
export const SRC = {
  readl: src('include/asm-generic/io.h', 'readl'),
  msleep: src('kernel/time/timer.c', 'msleep'),
  sendSig: src('kernel/signal.c', 'send_sig'),
  copyToUser: src('include/linux/uaccess.h', 'copy_to_user'),
  pin: src('mm/gup.c', 'pin_user_pages_fast'),
  sg: src('lib/scatterlist.c', 'sg_alloc_table_from_pages_segment'),
  map: src('kernel/dma/mapping.c', 'dma_map_sgtable'),
  unmap: src('kernel/dma/mapping.c', 'dma_unmap_sg_attrs'),
  unpin: src('mm/gup.c', 'unpin_user_pages_dirty_lock'),
  wake: src('kernel/sched/wait.c', '__wake_up'),
  waitEvent: src('include/linux/wait.h', 'wait_event_interruptible'),
  irq: src('kernel/irq/handle.c', 'handle_irq_event'),
  poll: src('fs/select.c', 'do_sys_poll'),
  mmapCoherent: src('kernel/dma/mapping.c', 'dma_mmap_attrs'),
} as const;

// ---- parameters ---------------------------------------------------------------------------

/** The default parameters for a design (the source question's 350 MB/s device). */
export function defaultParams(design: Design, over: Partial<Omit<DaqParams, 'costs'>> & { costs?: Partial<CostTable> } = {}): DaqParams {
  const { costs, ...rest } = over;
  return {
    design,
    rate_Bps: 350e6,
    fifo_bytes: 64 * 1024,
    chunk_bytes: 64 * 1024,
    frame_bytes: MiB,
    read_bytes: MiB,
    reads_in_flight: 1,
    ring_buffers: 8,
    horizon_ns: 10_000_000,
    ...rest,
    costs: { ...DEFAULT_COSTS, ...(costs ?? {}) },
  };
}

function intIn(name: string, v: unknown, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
}

/** Throws `RangeError` naming the field for any parameter out of range (see `DaqParams`). */
export function validateParams(p: DaqParams): void {
  if (!p || typeof p !== 'object') throw new RangeError('parameters must be an object');
  if (p.design !== 'A' && p.design !== 'B' && p.design !== 'C') throw new RangeError(`design must be A, B or C, got ${String(p.design)}`);
  if (typeof p.rate_Bps !== 'number' || !Number.isFinite(p.rate_Bps) || p.rate_Bps < 1e3 || p.rate_Bps > 1e11) throw new RangeError(`rate_Bps must be from 1e3 to 1e11 bytes/s, got ${String(p.rate_Bps)}`);
  intIn('chunk_bytes', p.chunk_bytes, 64, 64 * MiB);
  intIn('fifo_bytes', p.fifo_bytes, 64, 256 * MiB);
  intIn('frame_bytes', p.frame_bytes, 64, 256 * MiB);
  intIn('read_bytes', p.read_bytes, PAGE_BYTES, 256 * MiB);
  if (p.read_bytes % PAGE_BYTES) throw new RangeError(`read_bytes must be a multiple of ${PAGE_BYTES}, got ${p.read_bytes}`);
  intIn('reads_in_flight', p.reads_in_flight, 1, 2);
  intIn('ring_buffers', p.ring_buffers, 1, 64);
  if (typeof p.horizon_ns !== 'number' || !Number.isFinite(p.horizon_ns) || p.horizon_ns < 1000 || p.horizon_ns > MAX_HORIZON_NS) throw new RangeError(`horizon_ns must be from 1000 to ${MAX_HORIZON_NS}, got ${String(p.horizon_ns)}`);
  if (p.design === 'A' && p.fifo_bytes < p.chunk_bytes) throw new RangeError(`design A needs fifo_bytes >= chunk_bytes (the data-ready bit means a whole transaction is waiting), got ${p.fifo_bytes} < ${p.chunk_bytes}`);
  if (p.design === 'A' && p.frame_bytes % p.chunk_bytes) throw new RangeError(`design A needs frame_bytes to be a multiple of chunk_bytes, got ${p.frame_bytes} and ${p.chunk_bytes}`);
  if (!p.costs || typeof p.costs !== 'object') throw new RangeError('costs must be a cost table');
  validateCosts(p.costs);
}

// ---- the FIFO and the DMA engine between events -------------------------------------------

/** Bytes the DMA engine has moved `dt` ns into a step that started with `level0` bytes waiting. */
function movedAfter(level0: number, rate: number, dma: number, dt: number): number {
  if (dma <= rate) return (dma * dt) / 1e9;
  const t1 = (level0 / (dma - rate)) * 1e9; // ns until the backlog is gone
  return dt <= t1 ? (dma * dt) / 1e9 : level0 + (rate * dt) / 1e9;
}

/** ns the DMA engine needs to move `need` bytes, starting with `level0` bytes waiting. */
export function timeToMove(level0: number, rate: number, dma: number, need: number): number {
  if (dma <= rate) return (need / dma) * 1e9;
  const t1 = (level0 / (dma - rate)) * 1e9;
  const moved1 = (dma * t1) / 1e9;
  if (need <= moved1) return (need / dma) * 1e9;
  return t1 + ((need - moved1) / rate) * 1e9;
}

type Mut = DaqState;

function clone(s: DaqState): Mut {
  return {
    ...s,
    dma_queue: s.dma_queue.map((t) => ({ ...t })),
    pending: s.pending.slice(),
    reads_done: s.reads_done.slice(),
    slots: s.slots.slice(),
    counters: { ...s.counters, busy_ns: { ...s.counters.busy_ns }, breakdown_ns: { ...s.counters.breakdown_ns } },
    bars: s.bars.slice(),
  };
}

function addBar(s: Mut, bar: Bar): void {
  s.bars.push(bar);
  if (s.bars.length > MAX_BARS) s.bars.splice(0, s.bars.length - MAX_BARS);
}

function dmaActive(s: DaqState): boolean {
  return s.pending.some((e) => e.lane === 'dma');
}

/** Moves the device and FIFO from `s.t_ns` to `t`: production, draining by DMA, overflow. */
function advance(s: Mut, t: number): void {
  const dt = t - s.t_ns;
  if (dt < 0) throw new Error(`time went backwards: ${s.t_ns} -> ${t}`);
  const { rate_Bps: rate, fifo_bytes: F } = s.params;
  const made = (rate * dt) / 1e9;
  s.counters.produced_bytes += made;
  if (s.drain_Bps > 0) {
    const moved = movedAfter(s.drain_level0, rate, s.drain_Bps, t - s.drain_t0_ns);
    const movedBefore = movedAfter(s.drain_level0, rate, s.drain_Bps, s.t_ns - s.drain_t0_ns);
    let level = s.fifo_level + made - (moved - movedBefore);
    if (level < 1e-6) level = 0;
    if (level > F) {
      // Draining slower than the device produces (the readl loop): still overflowing.
      if (s.full_since_ns < 0) s.full_since_ns = s.t_ns;
      s.counters.lost_bytes += level - F;
      level = F;
    } else if (s.full_since_ns >= 0) {
      closeOverflow(s);
    }
    s.fifo_level = level;
  } else {
    let level = s.fifo_level + made;
    if (level > F) {
      const tFull = s.t_ns + ((F - s.fifo_level) / rate) * 1e9;
      if (s.full_since_ns < 0) s.full_since_ns = tFull;
      s.counters.lost_bytes += level - F;
      level = F;
    }
    s.fifo_level = level;
  }
  s.t_ns = t;
}

/** Closes an overflow interval on the device lane (when something starts draining the FIFO). */
function closeOverflow(s: Mut): void {
  if (s.full_since_ns >= 0 && s.t_ns > s.full_since_ns) {
    addBar(s, { lane: 'device', t0_ns: s.full_since_ns, t1_ns: s.t_ns, label: 'FIFO full: bytes lost', kind: 'overflow' });
  }
  s.full_since_ns = -1;
}

function schedule(s: Mut, e: Omit<PendingEvent, 't0_ns'> & { t0_ns?: number }): void {
  s.pending.push({ t0_ns: e.t0_ns ?? s.t_ns, ...e } as PendingEvent);
}

/** Something starts emptying the FIFO at `Bps` bytes/s (0: nothing does). */
function startDrain(s: Mut, Bps: number): void {
  s.drain_Bps = Bps;
  s.drain_t0_ns = s.t_ns;
  s.drain_level0 = s.fifo_level;
}

/** Starts the DMA engine on its first queued transfer if it is idle. */
function kickDma(s: Mut): void {
  if (dmaActive(s) || s.dma_queue.length === 0) return;
  closeOverflow(s);
  const tr = s.dma_queue[0];
  const need = Math.min(tr.left, s.params.chunk_bytes);
  startDrain(s, s.params.costs.dma_Bps);
  const dt = timeToMove(s.fifo_level, s.params.rate_Bps, s.params.costs.dma_Bps, need);
  schedule(s, { t_ns: s.t_ns + dt, lane: 'dma', kind: 'dma-chunk', bytes: need, ref: tr.ref });
}

function spend(s: Mut, lane: 'kthread' | 'irq' | 'process', term: string, ns: number): void {
  s.counters.busy_ns[lane] += ns;
  s.counters.breakdown_ns[term] = (s.counters.breakdown_ns[term] ?? 0) + ns;
}

/** Schedules a CPU activity on `lane` lasting `ns` that ends with event `kind`. */
function cpu(s: Mut, lane: 'kthread' | 'irq' | 'process', kind: string, ns: number, bytes = 0, ref = -1): void {
  schedule(s, { t_ns: s.t_ns + ns, lane, kind, bytes, ref });
}

// ---- design B helpers ---------------------------------------------------------------------

/** CPU ns of one read()'s set-up in design B, by term. */
export function readSetupTerms(p: DaqParams): Record<string, number> {
  const pages = Math.ceil(p.read_bytes / PAGE_BYTES);
  const c = p.costs;
  return {
    syscall: c.syscall_ns,
    pin: pages * c.pin_ns_per_page,
    sg_table: pages * c.sg_ns_per_page,
    dma_map: pages * c.map_ns_per_seg,
    descriptors: pages * c.mmio_write_ns,
  };
}

/** CPU ns of one read()'s completion in design B (after the wake-up), by term. */
export function readFinishTerms(p: DaqParams): Record<string, number> {
  const pages = Math.ceil(p.read_bytes / PAGE_BYTES);
  const c = p.costs;
  return { dma_unmap: pages * c.unmap_ns_per_seg, unpin: pages * c.unpin_ns_per_page };
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Design B: the process waits for its oldest read, or collects it at once if it is already done. */
function waitNext(s: Mut): void {
  const outstanding = s.dma_queue.map((t) => t.ref).concat(s.reads_done);
  if (outstanding.length === 0) return;
  const r = Math.min(...outstanding);
  if (s.reads_done.includes(r)) finishRead(s, r);
  else s.waiting_read = r;
}

/** Design B: unmap and unpin read `ref`, ending in `read-returned`. */
function finishRead(s: Mut, ref: number): void {
  const terms = readFinishTerms(s.params);
  for (const [k, v] of Object.entries(terms)) spend(s, 'process', k, v);
  cpu(s, 'process', 'read-returned', sum(terms), s.params.read_bytes, ref);
}

function startRead(s: Mut): void {
  const terms = readSetupTerms(s.params);
  for (const [k, v] of Object.entries(terms)) spend(s, 'process', k, v);
  s.counters.syscalls++;
  cpu(s, 'process', 'read-armed', sum(terms), s.params.read_bytes, s.next_read++);
}

// ---- design C helpers ---------------------------------------------------------------------

function ready(s: DaqState): number {
  return s.produced - s.consumed - s.to_release;
}

/** The process's next move in design C when it is free. */
function consumerNext(s: Mut): void {
  const c = s.params.costs;
  if (s.to_release > 0) {
    // Hand each buffer back as soon as it is used, so the device gets it again at once
    // (releasing in batches leaves the device without buffers while the batch is used).
    const ns = c.syscall_ns + s.to_release * c.mmio_write_ns;
    spend(s, 'process', 'syscall', c.syscall_ns);
    spend(s, 'process', 'descriptors', s.to_release * c.mmio_write_ns);
    s.counters.syscalls++;
    cpu(s, 'process', 'released', ns, 0, s.to_release);
  } else if (ready(s) > 0) {
    const slot = (s.consumed + s.to_release) % s.params.ring_buffers;
    const ns = (s.params.frame_bytes / c.consumer_Bps) * 1e9;
    spend(s, 'process', 'consume', ns);
    cpu(s, 'process', 'consumed', ns, s.params.frame_bytes, slot);
  } else {
    spend(s, 'process', 'syscall', c.syscall_ns);
    s.counters.syscalls++;
    cpu(s, 'process', 'poll-sleep', c.syscall_ns);
  }
}

// ---- the model ----------------------------------------------------------------------------

/** Builds the first state. Throws `RangeError` on invalid parameters (see `validateParams`). */
export function initialState(params: DaqParams): DaqState {
  validateParams(params);
  const p: DaqParams = { ...params, costs: { ...params.costs } };
  const s: Mut = {
    params: p,
    t_ns: 0,
    fifo_level: 0,
    full_since_ns: -1,
    dma_queue: [],
    drain_Bps: 0,
    drain_t0_ns: 0,
    drain_level0: 0,
    pending: [],
    kbuf_bytes: 0,
    frames_waiting: 0,
    next_read: 0,
    reads_done: [],
    waiting_read: -1,
    produced: 0,
    consumed: 0,
    slots: p.design === 'C' ? Array.from({ length: p.ring_buffers }, (): SlotOwner => 'device') : [],
    in_poll: false,
    to_release: 0,
    counters: {
      produced_bytes: 0,
      lost_bytes: 0,
      delivered_bytes: 0,
      dma_bytes: 0,
      moved_bytes: 0,
      cpu_copied_bytes: 0,
      frames: 0,
      syscalls: 0,
      signals: 0,
      interrupts: 0,
      mmio_reads: 0,
      mmio_writes: 0,
      pages_pinned: 0,
      overruns: 0,
      busy_ns: { kthread: 0, irq: 0, process: 0 },
      breakdown_ns: {},
    },
    bars: [],
    event: null,
  };
  if (p.design === 'A') {
    spend(s, 'kthread', 'mmio_read', p.costs.mmio_read_ns);
    s.counters.mmio_reads++;
    cpu(s, 'kthread', 'poll', p.costs.mmio_read_ns);
  } else if (p.design === 'B') {
    // With two reads in flight the second is submitted right after the first (a second
    // thread, or io_uring), see the 'read-armed' case.
    startRead(s);
  } else {
    // The ring was mmapped and armed before the capture started: every buffer's descriptor
    // is with the device (setup cost outside the timeline).
    s.dma_queue = s.slots.map((_, i) => ({ ref: i, total: p.frame_bytes, left: p.frame_bytes }));
    s.counters.mmio_writes += p.ring_buffers;
    kickDma(s);
    consumerNext(s);
  }
  return s;
}

/** The earliest pending events (ties: every lane whose next event ends at the same time). */
function due(s: DaqState): PendingEvent[] {
  if (s.t_ns >= s.params.horizon_ns || s.pending.length === 0) return [];
  let tMin = Infinity;
  for (const e of s.pending) if (e.t_ns < tMin) tMin = e.t_ns;
  if (tMin > s.params.horizon_ns) return [];
  const out: PendingEvent[] = [];
  for (const lane of LANES) {
    const e = s.pending.find((x) => x.lane === lane && x.t_ns === tMin);
    if (e) out.push(e);
  }
  return out;
}

/** The choices enabled: one per lane with an event due now; empty when the horizon is reached. */
export function enabled(s: DaqState): DaqChoice[] {
  return due(s).map((e) => ({ lane: e.lane }));
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 2)} MiB`;
const kib = (bytes: number) => (bytes >= MiB ? mb(bytes) : `${Math.round(bytes / 1024)} KiB`);
const us = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`);

function narrate(s: Mut, narration: string, source: KernelSource | null, actor: Lane): void {
  s.event = { narration, source, actor };
}

/** Applies the pending event `e` (already removed from `s.pending`), at `s.t_ns` = `e.t_ns`. */
function applyEvent(s: Mut, e: PendingEvent): void {
  const p = s.params;
  const c = p.costs;
  const bar = (label: string, kind: string) => addBar(s, { lane: e.lane, t0_ns: e.t0_ns, t1_ns: e.t_ns, label, kind });
  switch (e.kind) {
    // -- design A: the polling kernel thread ------------------------------------------------
    case 'poll': {
      bar('readl(status)', 'mmio');
      if (s.fifo_level >= p.chunk_bytes) {
        const reads = Math.ceil(p.chunk_bytes / c.mmio_read_bytes);
        const ns = reads * c.mmio_read_ns;
        spend(s, 'kthread', 'mmio_read', ns);
        s.counters.mmio_reads += reads;
        cpu(s, 'kthread', 'pio-copied', ns, p.chunk_bytes);
        closeOverflow(s);
        startDrain(s, (c.mmio_read_bytes / c.mmio_read_ns) * 1e9);
        narrate(s, `The kernel thread reads the data-ready register (one PCIe round trip, ${us(c.mmio_read_ns)}): a ${kib(p.chunk_bytes)} transaction is waiting, so it starts copying it out of the device with ${reads.toLocaleString('en-US')} readl() calls.`, SRC.readl, 'kthread');
      } else {
        // Sleeping is lane time, not CPU time: it goes in the breakdown only.
        s.counters.breakdown_ns.poll_sleep = (s.counters.breakdown_ns.poll_sleep ?? 0) + c.poll_sleep_ns;
        cpu(s, 'kthread', 'woke', c.poll_sleep_ns);
        narrate(s, `The kernel thread reads the data-ready register: nothing is ready yet (${kib(Math.floor(s.fifo_level))} in the FIFO), so it sleeps in msleep(1) for ${us(c.poll_sleep_ns)} while the device keeps producing.`, SRC.msleep, 'kthread');
      }
      return;
    }
    case 'woke': {
      bar('msleep(1)', 'sleep');
      spend(s, 'kthread', 'mmio_read', c.mmio_read_ns);
      s.counters.mmio_reads++;
      cpu(s, 'kthread', 'poll', c.mmio_read_ns);
      narrate(s, `The kernel thread wakes from msleep(1) with ${kib(Math.floor(s.fifo_level))} waiting in the FIFO, and polls the data-ready register again.`, SRC.msleep, 'kthread');
      return;
    }
    case 'pio-copied': {
      bar(`readl × ${kib(e.bytes)}`, 'mmio');
      startDrain(s, 0);
      s.kbuf_bytes += e.bytes;
      s.counters.cpu_copied_bytes += e.bytes;
      s.counters.moved_bytes += e.bytes;
      let more = '';
      if (s.kbuf_bytes >= p.frame_bytes) {
        s.kbuf_bytes -= p.frame_bytes;
        s.counters.signals++;
        if (s.frames_waiting === 0 && !s.pending.some((x) => x.lane === 'process')) {
          spend(s, 'process', 'signal', c.signal_ns);
          cpu(s, 'process', 'handler', c.signal_ns, p.frame_bytes);
        }
        s.frames_waiting++;
        more = ' The frame in the kmalloc buffer is complete: it sends the process the custom signal.';
      }
      spend(s, 'kthread', 'mmio_read', c.mmio_read_ns);
      s.counters.mmio_reads++;
      cpu(s, 'kthread', 'poll', c.mmio_read_ns);
      narrate(s, `The kernel thread has copied ${kib(e.bytes)} out of device memory into its kmalloc buffer (${kib(s.kbuf_bytes)} of the frame so far); meanwhile the FIFO stayed full and the device lost what it could not store.${more}`, more ? SRC.sendSig : SRC.readl, 'kthread');
      return;
    }
    case 'handler': {
      bar('signal handler', 'signal');
      const ns = c.syscall_ns + (p.frame_bytes / c.copy_Bps) * 1e9;
      spend(s, 'process', 'syscall', c.syscall_ns);
      spend(s, 'process', 'copy_to_user', ns - c.syscall_ns);
      s.counters.syscalls++;
      cpu(s, 'process', 'ioctl-done', ns, p.frame_bytes);
      narrate(s, `The process's signal handler runs the user callback, which calls the transfer ioctl: copy_to_user copies the ${kib(p.frame_bytes)} frame a second time.`, SRC.sendSig, 'process');
      return;
    }
    case 'ioctl-done': {
      bar('ioctl: copy_to_user', 'copy');
      s.frames_waiting--;
      s.counters.frames++;
      s.counters.delivered_bytes += e.bytes;
      s.counters.cpu_copied_bytes += e.bytes;
      if (s.frames_waiting > 0) {
        spend(s, 'process', 'signal', c.signal_ns);
        cpu(s, 'process', 'handler', c.signal_ns, p.frame_bytes);
      }
      narrate(s, `The ioctl returns: the process has frame ${s.counters.frames} in its own buffer, after two copies of every byte.`, SRC.copyToUser, 'process');
      return;
    }
    // -- design B: blocking read() into pinned pages --------------------------------------
    case 'read-armed': {
      const pages = Math.ceil(e.bytes / PAGE_BYTES);
      bar(`read(): pin, map, ${pages} descriptors`, 'setup');
      s.counters.pages_pinned += pages;
      s.counters.mmio_writes += pages;
      s.dma_queue.push({ ref: e.ref, total: e.bytes, left: e.bytes });
      kickDma(s);
      narrate(s, `read() #${e.ref + 1} has pinned ${pages} pages with pin_user_pages_fast(FOLL_WRITE), built and mapped a scatterlist and written ${pages} descriptors: the device will write straight into the user buffer.`, SRC.pin, 'process');
      if (s.next_read < p.reads_in_flight) startRead(s);
      else waitNext(s);
      return;
    }
    case 'dma-chunk': {
      bar(`DMA ${kib(e.bytes)}`, 'dma');
      const tr = s.dma_queue[0];
      startDrain(s, 0);
      tr.left -= e.bytes;
      s.counters.dma_bytes += e.bytes;
      s.counters.moved_bytes += e.bytes;
      let narration = `The DMA engine has written ${kib(e.bytes)} from the FIFO into memory (${kib(tr.total - tr.left)} of ${kib(tr.total)}).`;
      let source: KernelSource | null = null;
      if (tr.left <= 0) {
        s.dma_queue.shift();
        cpu(s, 'irq', 'irq', c.irq_ns, tr.total, tr.ref);
        spend(s, 'irq', 'irq', c.irq_ns);
        if (p.design === 'C') s.slots[tr.ref] = 'driver';
        narration += ' That finishes its descriptors, and the device raises an MSI.';
        source = SRC.irq;
      }
      kickDma(s);
      if (!dmaActive(s) && p.design === 'C') {
        s.counters.overruns++;
        narration += ` No buffer is left for it: all ${p.ring_buffers} are waiting for user space. The driver counts an overrun; the FIFO will fill and overflow.`;
      } else if (!dmaActive(s)) {
        narration += ' No more descriptors: the FIFO starts filling.';
      }
      narrate(s, narration, source, 'dma');
      return;
    }
    case 'irq': {
      bar('MSI', 'irq');
      s.counters.interrupts++;
      if (p.design === 'B') {
        s.reads_done.push(e.ref);
        if (s.waiting_read === e.ref) {
          s.waiting_read = -1;
          spend(s, 'process', 'wakeup', c.wakeup_ns);
          cpu(s, 'process', 'read-woken', c.wakeup_ns, e.bytes, e.ref);
        }
        narrate(s, `The interrupt handler marks read() #${e.ref + 1} done${s.pending.some((x) => x.kind === 'read-woken') ? ' and wakes the reader from the wait queue' : '; the reader is busy and will find it done'}.`, SRC.wake, 'irq');
      } else {
        s.slots[e.ref] = 'user';
        s.produced++;
        s.counters.frames++;
        s.counters.delivered_bytes += e.bytes;
        let extra = '';
        if (s.in_poll) {
          s.in_poll = false;
          spend(s, 'process', 'wakeup', c.wakeup_ns);
          cpu(s, 'process', 'poll-woken', c.wakeup_ns);
          extra = ' The process was asleep in poll(): it is woken.';
        }
        narrate(s, `The interrupt handler publishes buffer ${e.ref}: produced = ${s.produced} in the control page (consumed = ${s.consumed}).${extra}`, SRC.wake, 'irq');
      }
      return;
    }
    case 'read-woken': {
      bar('wake-up', 'wake');
      finishRead(s, e.ref);
      narrate(s, `The reader runs again: it unmaps the scatterlist and calls unpin_user_pages_dirty_lock() on the ${Math.ceil(e.bytes / PAGE_BYTES)} pages (the device wrote them).`, SRC.unpin, 'process');
      return;
    }
    case 'read-returned': {
      bar('unmap, unpin', 'setup');
      s.counters.delivered_bytes += e.bytes;
      s.counters.frames++;
      s.reads_done = s.reads_done.filter((r) => r !== e.ref);
      const ns = (e.bytes / c.consumer_Bps) * 1e9;
      spend(s, 'process', 'consume', ns);
      cpu(s, 'process', 'read-consumed', ns, e.bytes, e.ref);
      narrate(s, `read() #${e.ref + 1} returns ${kib(e.bytes)}, written by the device where the process wanted them: no copy. The process now uses the data.`, SRC.unpin, 'process');
      return;
    }
    case 'read-consumed': {
      bar('use the data', 'user');
      startRead(s);
      narrate(s, `The process is done with the data and calls read() again${p.reads_in_flight === 2 ? ' (the other read is still queued at the device)' : ''}.`, SRC.pin, 'process');
      return;
    }
    // -- design C: the ring --------------------------------------------------------------
    case 'poll-sleep': {
      bar('poll()', 'syscall');
      if (ready(s) > 0) {
        consumerNext(s);
        narrate(s, 'poll() finds a buffer ready and returns at once.', SRC.poll, 'process');
      } else {
        s.in_poll = true;
        narrate(s, `Nothing is ready (produced = consumed = ${s.produced}): the process sleeps in poll().`, SRC.poll, 'process');
      }
      return;
    }
    case 'poll-woken': {
      bar('wake-up', 'wake');
      consumerNext(s);
      narrate(s, `poll() returns: produced = ${s.produced}, consumed = ${s.consumed}. The process uses the ready buffers in place, in the mapped ring.`, SRC.poll, 'process');
      return;
    }
    case 'consumed': {
      bar(`use buffer ${e.ref}`, 'user');
      s.to_release++;
      consumerNext(s);
      narrate(s, `The process is done with buffer ${e.ref}, used in place: no copy. It hands it back at once.`, null, 'process');
      return;
    }
    case 'released': {
      bar(`release ${e.ref}`, 'syscall');
      const n = e.ref;
      const wasIdle = !dmaActive(s);
      for (let k = 0; k < n; k++) {
        const slot = (s.consumed + k) % p.ring_buffers;
        s.slots[slot] = 'device';
        s.dma_queue.push({ ref: slot, total: p.frame_bytes, left: p.frame_bytes });
      }
      s.consumed += n;
      s.to_release = 0;
      s.counters.mmio_writes += n;
      kickDma(s);
      consumerNext(s);
      narrate(s, `The process hands the buffer back with one call: consumed = ${s.consumed}. The driver re-arms their descriptors${wasIdle ? '; the stalled DMA engine starts again' : ''}.`, null, 'process');
      return;
    }
    default:
      throw new Error(`unknown event ${e.kind}`);
  }
}

function stepUnchecked(state: DaqState, choice: DaqChoice): DaqState {
  const s = clone(state);
  const list = due(state);
  const e = list.find((x) => x.lane === choice.lane);
  if (!e) throw new Error(`no event is due on lane ${choice.lane}`);
  advance(s, e.t_ns);
  s.pending.splice(s.pending.indexOf(e), 1);
  applyEvent(s, e);
  return s;
}

/** Applies one enabled choice. Throws `Error` if the choice is not enabled. */
export function step(state: DaqState, choice: DaqChoice): DaqState {
  if (!enabled(state).some((c) => c.lane === choice.lane)) throw new Error(`choice ${JSON.stringify(choice)} is not enabled`);
  return stepUnchecked(state, choice);
}

/** The data-acquisition model (`sims/core/model.ts` interface). */
export const daqModel: Model<DaqParams, DaqState, DaqChoice> = {
  id: 'daq',
  initialState: (p) => initialState(p),
  enabled,
  step,
  stepFast: stepUnchecked,
  event: (s) => s.event,
  describeChoice: (s, c) => {
    const e = due(s).find((x) => x.lane === c.lane);
    return e ? `${LANE_NAMES[c.lane]}: ${EVENT_NAMES[e.kind] ?? e.kind}` : LANE_NAMES[c.lane];
  },
  sameChoice: (a, b) => a.lane === b.lane,
};

/** Display names of the lanes. */
export const LANE_NAMES: Record<Lane, string> = { device: 'device', dma: 'DMA engine', irq: 'interrupt', kthread: 'kernel thread', process: 'process' };

const EVENT_NAMES: Record<string, string> = {
  poll: 'the status read ends',
  woke: 'msleep(1) ends',
  'pio-copied': 'the readl() copy ends',
  handler: 'the signal handler starts the ioctl',
  'ioctl-done': 'copy_to_user ends',
  'read-armed': 'read() has armed the DMA',
  'dma-chunk': 'the next transfer ends',
  irq: 'the MSI handler runs',
  'read-woken': 'the reader wakes',
  'read-returned': 'read() returns',
  'read-consumed': 'the process is done with the data',
  'poll-sleep': 'poll() checks the ring',
  'poll-woken': 'poll() wakes',
  consumed: 'the process is done with a buffer',
  released: 'the release call returns',
};

// ---- derived counters -----------------------------------------------------------------------

/** Counters per unit, derived from a state: the numbers the widget and the lesson show. */
export interface DaqSummary {
  elapsed_ns: number;
  /** Bytes/s reaching the process (decimal MB/s = value / 1e6). */
  delivered_Bps: number;
  /** Bytes/s taken out of the device (steadier than `delivered_Bps` when frames are few). */
  collected_Bps: number;
  /** Share of the produced bytes that were lost, 0..1. */
  lost_fraction: number;
  lost_bytes: number;
  /** CPU copies per delivered byte (design A: 2). */
  copies_per_byte: number;
  syscalls_per_MiB: number;
  signals_per_MiB: number;
  interrupts_per_MiB: number;
  /** CPU busy time over elapsed time, in % of one CPU (all lanes together; may exceed 100). */
  cpu_busy_pct: number;
  overruns: number;
  /** CPU ns by term, per delivered MiB (where the time goes). */
  breakdown_ns_per_MiB: Record<string, number>;
}

/** Derives the summary of a state. Rates are over `t_ns`; per-MiB figures over delivered bytes (0 when nothing was delivered). */
export function summarize(s: DaqState): DaqSummary {
  const c = s.counters;
  const secs = s.t_ns / 1e9;
  const mib = c.delivered_bytes / MiB;
  const per = (n: number) => (mib > 0 ? n / mib : 0);
  const busy = c.busy_ns.kthread + c.busy_ns.irq + c.busy_ns.process;
  const breakdown: Record<string, number> = {};
  for (const [k, v] of Object.entries(c.breakdown_ns)) breakdown[k] = per(v);
  return {
    elapsed_ns: s.t_ns,
    delivered_Bps: secs > 0 ? c.delivered_bytes / secs : 0,
    collected_Bps: secs > 0 ? c.moved_bytes / secs : 0,
    lost_fraction: c.produced_bytes > 0 ? c.lost_bytes / c.produced_bytes : 0,
    lost_bytes: c.lost_bytes,
    copies_per_byte: c.delivered_bytes > 0 ? c.cpu_copied_bytes / c.delivered_bytes : 0,
    syscalls_per_MiB: per(c.syscalls),
    signals_per_MiB: per(c.signals),
    interrupts_per_MiB: per(c.interrupts),
    cpu_busy_pct: s.t_ns > 0 ? (busy / s.t_ns) * 100 : 0,
    overruns: c.overruns,
    breakdown_ns_per_MiB: breakdown,
  };
}

/** Runs `params` to its horizon (no player), returning the last state. Throws `RangeError` on bad parameters. */
export function runToHorizon(params: DaqParams): DaqState {
  let s = initialState(params);
  for (let i = 0; i < 5_000_000; i++) {
    const ch = enabled(s);
    if (ch.length === 0) return s;
    s = stepUnchecked(s, ch[0]);
  }
  throw new Error('the run did not reach its horizon in 5,000,000 steps');
}
