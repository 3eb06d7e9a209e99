/**
 * The ring protocol of design C, small enough for the explorer (`sims/explore`) to check
 * every interleaving of the device, the interrupt handler, the consumer and its releases.
 *
 * A ring of `n` driver-allocated DMA buffers is shared by three parties:
 * - the **device**: it may write a buffer only while the driver has it armed (handed back by
 *   user space). Each DMA is two steps: start (the buffer is being written) and complete
 *   (the data is in memory, the hardware's completion counter goes up, an MSI is raised).
 *   When no buffer is armed the frame is dropped and counted as an overrun.
 * - the **driver's interrupt handler**: it reads the hardware's counters, makes each completed
 *   buffer visible to the CPU (`dma_sync_single_for_cpu`, needed on a non-coherent machine for
 *   cached `dma_alloc_pages` buffers), publishes `produced` in the control page and wakes
 *   the reader. Its body is a function (`IrqHandler`) returning the operations to do; the
 *   model runs them one per step, so other parties can run in between.
 * - **user space**: it waits in `poll()` (an atomic check-and-sleep, as the wait queue makes
 *   it), reads the oldest ready buffer, and releases it (`consumed` + 1), which re-arms it.
 *
 * Counters are free-running u32 (they may start near 2**32 to test the wrap). The invariants
 * (`RING_INVARIANT`, `RING_FINAL`): the device never writes a buffer user space owns; user
 * space reads only buffers it owns, each with the data of the frame published there; no
 * frame is delivered twice; the control words never show an impossible state
 * (`produced - consumed` in 0..n, `produced` never ahead of the completed DMAs); at the end
 * every frame was delivered or counted as an overrun, and nobody sleeps with work left.
 *
 * Kernel sources of the pattern (Linux 6.12): `dma_alloc_coherent`/`dma_mmap_coherent`,
 * `dma_alloc_pages`/`dma_mmap_pages` and `dma_sync_single_for_cpu`
 * (`include/linux/dma-mapping.h`, `kernel/dma/mapping.c`), the wait queue behind `poll()`
 * (`include/linux/wait.h`, `poll_wait`), and V4L2 videobuf2's queue of buffers
 * (`drivers/media/common/videobuf2/videobuf2-core.c`) which hands buffers back the same way.
 */
import type { Model } from '../core/model.ts';
import type { Invariant } from '../explore/explore.ts';

/** 2**32: the counters wrap here. */
export const U32 = 2 ** 32;

/** What the interrupt handler sees when it runs. */
export interface HwSnapshot {
  /** Buffers the DMA engine has completed since the start (free-running u32, from a device register). */
  completed: number;
  /** Buffers the DMA engine has started (free-running u32): `completed` or `completed + 1`. */
  started: number;
  /** The control page's `produced` (free-running u32; only the driver writes it). */
  produced: number;
  /** Buffers in the ring. */
  n: number;
  /** True when the CPU's caches are coherent with DMA (x86); false on e.g. arm64 with cached buffers. */
  coherent: boolean;
}

/** One thing the handler does; the model runs one per step. */
export type IrqOp = { op: 'sync'; slot: number } | { op: 'publish'; produced: number } | { op: 'wake' };

/** The interrupt handler's body: what to do, in order, for this snapshot. Must be pure. */
export type IrqHandler = (hw: HwSnapshot) => IrqOp[];

/** The correct handler: sync every completed buffer, then publish, then wake. */
export const correctHandler: IrqHandler = (hw) => {
  const ops: IrqOp[] = [];
  let p = hw.produced;
  while (p !== hw.completed) {
    if (!hw.coherent) ops.push({ op: 'sync', slot: p % hw.n });
    p = (p + 1) % U32;
  }
  if (p !== hw.produced) ops.push({ op: 'publish', produced: p });
  ops.push({ op: 'wake' });
  return ops;
};

/** Known-wrong handlers, for the Prove-it panel. */
export const BUGGY_HANDLERS: Record<string, { label: string; handler: IrqHandler }> = {
  'publish-started': {
    label: 'publish the DMA started, not completed',
    handler: (hw) => [{ op: 'publish', produced: hw.started }, { op: 'wake' }],
  },
  'publish-before-sync': {
    label: 'publish before dma_sync_single_for_cpu',
    handler: (hw) => {
      const ops: IrqOp[] = [];
      if (hw.completed !== hw.produced) ops.push({ op: 'publish', produced: hw.completed });
      let p = hw.produced;
      while (p !== hw.completed) {
        if (!hw.coherent) ops.push({ op: 'sync', slot: p % hw.n });
        p = (p + 1) % U32;
      }
      ops.push({ op: 'wake' });
      return ops;
    },
  },
};

/** Parameters of a ring-protocol run. */
export interface RingParams {
  /** Buffers in the ring: 1 to 8. */
  n: number;
  /** Frames the device produces: 1 to 8. */
  frames: number;
  coherent: boolean;
  /** Where both counters start (0..2**32-1): near 2**32 to test the wrap. */
  start: number;
  /** The consumer: correct, or releases each buffer before reading it. */
  consumer: 'correct' | 'release-before-read';
  /** The device: correct, or refills a buffer even when the ring is full. */
  device: 'correct' | 'refill-full';
}

export interface RingState {
  p: RingParams;
  /** Next frame number the device will produce (0-based); `frames` when done. */
  nextFrame: number;
  /** Hardware counters (u32): DMAs started and completed. */
  started: number;
  completed: number;
  /** Control page (u32). */
  produced: number;
  consumed: number;
  /** The frame in each buffer in memory (-1: nothing yet). */
  mem: number[];
  /** What the CPU sees of each buffer: equal to `mem` when coherent, else the last synced copy. */
  cpu: number[];
  /** The frame whose DMA is in progress, or -1. */
  dmaFrame: number;
  /** Frame published in each slot, by the slot's last publish (-1 none). */
  frameInSlot: number[];
  /** A completion interrupt is pending (MSIs coalesce into one pending handler run). */
  irqPending: boolean;
  /** Operations left in the handler run in progress (null: not running). */
  irqOps: IrqOp[] | null;
  /** User space: asleep in poll(); buffers read but not yet released; what it received. */
  asleep: boolean;
  held: number;
  /** Release-before-read consumer: buffers released but not yet read. */
  releasedUnread: number;
  received: number[];
  overruns: number;
  /** The first protocol violation seen (latched), or null. */
  bad: string | null;
  last: string | null;
}

export type RingActor = 'device' | 'irq' | 'consumer' | 'release';
export interface RingChoice {
  actor: RingActor;
}

const d32 = (a: number, b: number) => (((a - b) % U32) + U32) % U32;
const inc = (a: number) => (a + 1) % U32;

/** Throws `RangeError` naming the field when a ring parameter is out of range. */
export function validateRingParams(p: RingParams): void {
  const int = (name: string, v: unknown, lo: number, hi: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  };
  int('n', p.n, 1, 8);
  int('frames', p.frames, 1, 8);
  int('start', p.start, 0, U32 - 1);
  if (typeof p.coherent !== 'boolean') throw new RangeError('coherent must be true or false');
  if (p.consumer !== 'correct' && p.consumer !== 'release-before-read') throw new RangeError(`consumer must be correct or release-before-read, got ${String(p.consumer)}`);
  if (p.device !== 'correct' && p.device !== 'refill-full') throw new RangeError(`device must be correct or refill-full, got ${String(p.device)}`);
}

/** Buffers user space owns: published and not released. */
export function userOwned(s: RingState): number {
  return d32(s.produced, s.consumed);
}

/** Which party owns each slot: 'user' (published, not released), 'driver' (completed, not published), else 'device'. */
export function ringOwners(s: RingState): ('device' | 'driver' | 'user')[] {
  const out: ('device' | 'driver' | 'user')[] = Array.from({ length: s.p.n }, () => 'device' as const);
  const own = Math.min(userOwned(s), s.p.n);
  for (let k = 0; k < own; k++) out[(s.consumed + k) % s.p.n] = 'user';
  const drv = Math.min(d32(s.completed, s.produced), s.p.n);
  for (let k = 0; k < drv; k++) if (out[(s.produced + k) % s.p.n] === 'device') out[(s.produced + k) % s.p.n] = 'driver';
  return out;
}

function canRun(s: RingState, a: RingActor): boolean {
  const p = s.p;
  switch (a) {
    case 'device':
      return s.dmaFrame >= 0 || s.nextFrame < p.frames;
    case 'irq':
      return s.irqOps !== null || s.irqPending;
    case 'consumer':
      // Awake user space can always act: read, release early (the buggy consumer), or sleep.
      return !s.asleep;
    case 'release':
      return p.consumer === 'correct' && s.held > 0;
  }
}

function apply(s0: RingState, c: RingChoice, handler: IrqHandler): RingState {
  const s: RingState = { ...s0, mem: s0.mem.slice(), cpu: s0.cpu.slice(), frameInSlot: s0.frameInSlot.slice(), received: s0.received, last: '' };
  const p = s.p;
  const fail = (m: string) => {
    if (s.bad === null) s.bad = m;
  };
  switch (c.actor) {
    case 'device': {
      if (s.dmaFrame >= 0) {
        const slot = d32(s.started, 1) % p.n;
        s.mem[slot] = s.dmaFrame;
        if (p.coherent) s.cpu[slot] = s.dmaFrame;
        s.completed = inc(s.completed);
        s.irqPending = true;
        s.last = `The DMA into buffer ${slot} completes (frame ${s.dmaFrame}); the device raises an MSI.`;
        s.dmaFrame = -1;
        break;
      }
      const f = s.nextFrame++;
      // The buffers armed for the device: those user space has released, not yet refilled.
      const inUse = d32(s.started, s.consumed);
      if (inUse >= p.n && p.device === 'correct') {
        s.overruns++;
        s.last = `Frame ${f} arrives with every buffer full: the device drops it and the driver counts an overrun.`;
        break;
      }
      const slot = s.started % p.n;
      if (inUse >= p.n) fail(`the device started writing buffer ${slot} while ${ringOwners(s)[slot] === 'user' ? 'user space owns it' : 'it holds a frame not yet handed to user space'}`);
      s.started = inc(s.started);
      s.dmaFrame = f;
      s.last = `The device starts writing frame ${f} into buffer ${slot}.`;
      break;
    }
    case 'irq': {
      if (s.irqOps === null) {
        s.irqPending = false;
        const ops = handler({ completed: s.completed, started: s.started, produced: s.produced, n: p.n, coherent: p.coherent });
        if (!Array.isArray(ops)) throw new TypeError('the interrupt handler must return an array of operations');
        s.irqOps = ops.map(checkOp);
        s.last = `The interrupt handler runs: completed = ${s.completed}, produced = ${s.produced}.`;
        if (s.irqOps.length === 0) s.irqOps = null;
        break;
      }
      const [op, ...rest] = s.irqOps;
      s.irqOps = rest.length ? rest : null;
      if (op.op === 'sync') {
        const slot = op.slot;
        if (!Number.isInteger(slot) || slot < 0 || slot >= p.n) throw new RangeError(`sync of slot ${slot}: slots are 0..${p.n - 1}`);
        s.cpu[slot] = s.mem[slot];
        s.last = `dma_sync_single_for_cpu on buffer ${slot}: the CPU now sees what the device wrote.`;
      } else if (op.op === 'publish') {
        const np = op.produced;
        if (!Number.isInteger(np) || np < 0 || np >= U32) fail(`produced was set to ${np}, which is not a u32 (0..2**32-1)`);
        else {
          // Record which frame each newly published slot holds (the driver's own books).
          const add = d32(np, s.produced);
          if (add <= p.n) for (let k = 0; k < add; k++) {
            const slot = (s.produced + k) % p.n;
            s.frameInSlot[slot] = s.mem[slot];
          }
          s.produced = np;
        }
        s.last = `The handler publishes produced = ${np} in the control page.`;
      } else {
        s.asleep = false;
        s.last = 'The handler wakes the wait queue.';
      }
      break;
    }
    case 'consumer': {
      const ready = d32(s.produced, s.consumed) - s.held;
      if (p.consumer === 'release-before-read') {
        if (s.releasedUnread > 0) {
          const slot = d32(s.consumed, s.releasedUnread) % p.n;
          fail(`user space read buffer ${slot} after handing it back to the device`);
          readSlot(s, slot, fail);
          s.releasedUnread--;
          s.last = `User space reads buffer ${slot}, which it has already released.`;
          break;
        }
        if (ready > 0 && ready <= p.n) {
          s.consumed = inc(s.consumed);
          s.releasedUnread++;
          s.last = `User space releases buffer ${d32(s.consumed, 1) % p.n} before reading it: consumed = ${s.consumed}.`;
          break;
        }
        s.asleep = true;
        s.last = 'Nothing is ready: user space sleeps in poll().';
        break;
      }
      if (ready > 0 && ready <= p.n) {
        const slot = (s.consumed + s.held) % p.n;
        readSlot(s, slot, fail);
        s.held++;
        s.last = `User space reads buffer ${slot} in place.`;
        break;
      }
      s.asleep = true;
      s.last = 'Nothing is ready: user space sleeps in poll().';
      break;
    }
    case 'release': {
      s.consumed = inc(s.consumed);
      s.held--;
      s.last = `User space releases the buffer: consumed = ${s.consumed}.`;
      break;
    }
  }
  return s;
}

function readSlot(s: RingState, slot: number, fail: (m: string) => void): void {
  const v = s.cpu[slot];
  const want = s.frameInSlot[slot];
  if (v !== want || v < 0) fail(`user space read buffer ${slot} and saw ${v < 0 ? 'nothing the device wrote' : `frame ${v}`}, but frame ${want} was published there`);
  const last = s.received.length ? s.received[s.received.length - 1] : -1;
  if (v >= 0 && v <= last) fail(`frame ${v} was delivered twice or out of order (after frame ${last})`);
  s.received = [...s.received, v];
}

function checkOp(o: unknown): IrqOp {
  const x = o as Record<string, unknown>;
  if (x && x.op === 'sync' && typeof x.slot === 'number') return { op: 'sync', slot: x.slot };
  if (x && x.op === 'publish' && typeof x.produced === 'number') return { op: 'publish', produced: x.produced };
  if (x && x.op === 'wake') return { op: 'wake' };
  throw new TypeError(`not an interrupt-handler operation: ${JSON.stringify(o)}`);
}

const ACTORS: RingChoice[] = (['device', 'irq', 'consumer', 'release'] as const).map((actor) => Object.freeze({ actor }));

/** Builds the ring-protocol model with interrupt handler `handler` (default: the correct one). */
export function ringModel(handler: IrqHandler = correctHandler): Model<RingParams, RingState, RingChoice> {
  const initialState = (p: RingParams): RingState => {
    validateRingParams(p);
    return {
      p: { ...p },
      nextFrame: 0,
      started: p.start,
      completed: p.start,
      produced: p.start,
      consumed: p.start,
      mem: Array.from({ length: p.n }, () => -1),
      cpu: Array.from({ length: p.n }, () => -1),
      dmaFrame: -1,
      frameInSlot: Array.from({ length: p.n }, () => -1),
      irqPending: false,
      irqOps: null,
      asleep: false,
      held: 0,
      releasedUnread: 0,
      received: [],
      overruns: 0,
      bad: null,
      last: null,
    };
  };
  const enabled = (s: RingState) => (s.bad !== null ? [] : ACTORS.filter((c) => canRun(s, c.actor)));
  return {
    id: 'daq-ring',
    initialState,
    enabled,
    step: (s, c) => {
      if (!enabled(s).some((x) => x.actor === c.actor)) throw new Error(`${c.actor} cannot run now`);
      return apply(s, c, handler);
    },
    stepFast: (s, c) => apply(s, c, handler),
    event: (s) => (s.last === null ? null : { narration: s.last, source: null, actor: 'ring' }),
    describeChoice: (_s, c) => ACTOR_LABELS[c.actor],
    sameChoice: (a, b) => a.actor === b.actor,
  };
}

/** Labels of the ring actors, for buttons and traces. */
export const ACTOR_LABELS: Record<RingActor, string> = {
  device: 'the device (start or complete a DMA)',
  irq: 'the interrupt handler (next operation)',
  consumer: 'user space (poll, read)',
  release: 'user space (release)',
};

/** Every reachable state: the protocol holds. */
export const RING_INVARIANT: Invariant<RingState> = {
  name: 'ring ownership',
  check: (s) => {
    if (s.bad) return s.bad;
    const own = userOwned(s);
    if (own > s.p.n) return `the control page says ${own} buffers are ready in a ring of ${s.p.n} (produced ${s.produced}, consumed ${s.consumed})`;
    if (d32(s.completed, s.produced) > s.p.n) return `produced (${s.produced}) is ahead of the DMAs completed (${s.completed}): user space can see a buffer the device is still writing`;
    return null;
  },
};

/** At the end: every frame was delivered or counted as an overrun, and nobody waits for ever. */
export const RING_FINAL: Invariant<RingState> = {
  name: 'every frame delivered or counted',
  check: (s) => {
    const got = s.received.length;
    if (got + s.overruns !== s.p.frames) {
      return `${s.p.frames} frames were produced but user space got ${got} and ${s.overruns} were counted as overruns: ${s.p.frames - got - s.overruns} vanished${s.asleep ? ' (user space is asleep in poll() and nobody will wake it)' : ''}`;
    }
    return null;
  },
};

/** Canonical key of a ring state (everything but the narration). */
export function ringKey(s: RingState): string {
  return JSON.stringify([s.nextFrame, s.started, s.completed, s.produced, s.consumed, s.mem, s.cpu, s.dmaFrame, s.frameInSlot, s.irqPending, s.irqOps, s.asleep, s.held, s.releasedUnread, s.received, s.overruns, s.bad]);
}

/** The explorer spec for a ring configuration and a handler. */
export function ringExploreSpec(params: RingParams, handler: IrqHandler = correctHandler) {
  return {
    model: ringModel(handler),
    params,
    seed: 1,
    invariant: RING_INVARIANT,
    final: RING_FINAL,
    key: ringKey,
    actor: (c: RingChoice) => c.actor,
    choiceKey: (c: RingChoice) => c.actor,
  };
}
