/**
 * Helpers over tty-model states (`./model.ts`): the circ_buf arithmetic of the xmit ring,
 * the order bytes reach (or will reach) the far end, the atomicity invariant, a canonical
 * key for a model checker's visited set, and a seeded scheduler for auto-play.
 *
 * Pure functions of their arguments; nothing here mutates a state.
 */
import { nextInt, seedFrom } from '../core/rng.ts';
import type { Cell, TtyChoice, TtyState } from './types.ts';

/**
 * `CIRC_CNT(head, tail, size)`: bytes held in a circ_buf ring.
 * `size` must be a power of two. Models `include/linux/circ_buf.h` (Linux 6.12).
 */
export function circCnt(head: number, tail: number, size: number): number {
  return (head - tail) & (size - 1);
}

/**
 * `CIRC_SPACE(head, tail, size)`: free bytes, 0..size-1. One slot always stays empty,
 * because a completely full ring would have `head === tail`, the same as an empty one.
 * Models `include/linux/circ_buf.h` (Linux 6.12).
 */
export function circSpace(head: number, tail: number, size: number): number {
  return circCnt(tail, head + 1, size);
}

/**
 * `CIRC_SPACE_TO_END(head, tail, size)`: free bytes writable contiguously from `head`,
 * stopping at the end of the array or at the slot just before `tail` (kept empty),
 * whichever comes first. `size` must be a power of two; `head`, `tail` in `[0, size)`.
 * Exact port of the macro in `include/linux/circ_buf.h` (Linux 6.12):
 *
 *     end = size - 1 - head;  n = (end + tail) & (size - 1);  n <= end ? n : end + 1
 *
 * Examples (size 8): (0, 0) -> 7; (5, 5) -> 3; (6, 2) -> 2; (2, 6) -> 3; (6, 0) -> 1; (4, 5) -> 0.
 */
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  const end = size - 1 - head;
  const n = (end + tail) & (size - 1);
  return n <= end ? n : end + 1;
}

/** Bytes held in the state's xmit ring (`CIRC_CNT` of `xmit.head`, `xmit.tail`). */
export function ringCount(state: TtyState): number {
  return circCnt(state.xmit.head, state.xmit.tail, state.params.xmitSize);
}

/**
 * Free bytes in the state's xmit ring (`CIRC_SPACE`): at most `xmitSize - 1`, the room
 * `uart_write` can fill in one call (its copy loop wraps around the end of the array).
 */
export function ringSpace(state: TtyState): number {
  return circSpace(state.xmit.head, state.xmit.tail, state.params.xmitSize);
}

/** Bytes held in the pipe (not yet read). */
export function pipeCount(state: TtyState): number {
  let n = 0;
  for (const b of state.pipe.bufs) n += b.cells.length;
  return n;
}

/**
 * `pipe_full(head, tail, max_usage)` of `fs/pipe.c` (Linux 6.12): every one of the
 * `pipeSlots` buffers is in use, so `pipe_write` cannot start a fresh page.
 */
export function pipeFull(state: TtyState): boolean {
  return state.pipe.bufs.length >= state.params.pipeSlots;
}

/** The bytes still queued (xmit ring from tail to head, or pipe buffers oldest first). */
export function queuedCells(state: TtyState): Cell[] {
  const out: Cell[] = [];
  if (state.params.variant === 'pipe') {
    for (const b of state.pipe.bufs) for (const c of b.cells) out.push(c);
    return out;
  }
  const size = state.params.xmitSize;
  const { buf, head } = state.xmit;
  for (let i = state.xmit.tail; i !== head; i = (i + 1) & (size - 1)) {
    const c = buf[i];
    if (c) out.push(c);
  }
  return out;
}

/**
 * Calls `visit(writer)` for every byte in output order (received, then queued) without
 * allocating: the explorer's hot path (canonical keys, the atomicity check) uses it.
 */
function forEachOutputWriter(state: TtyState, visit: (writer: number) => void): void {
  for (const c of state.received) visit(c.writer);
  if (state.params.variant === 'pipe') {
    for (const b of state.pipe.bufs) for (const c of b.cells) visit(c.writer);
    return;
  }
  const mask = state.params.xmitSize - 1;
  const { buf, head } = state.xmit;
  for (let i = state.xmit.tail; i !== head; i = (i + 1) & mask) {
    const c = buf[i];
    if (c) visit(c.writer);
  }
}

/**
 * The order in which the far end gets every byte accepted so far: `received` first, then
 * the bytes still queued in the xmit ring (tail to head) or in the pipe (oldest buffer
 * first). Neither the UART nor `pipe_read` reorders bytes, so this is final.
 */
export function outputOrder(state: TtyState): Cell[] {
  return state.received.concat(queuedCells(state));
}

/** The received bytes as letters ('A' + writer), e.g. `"AAAABB"`. */
export function receivedText(state: TtyState): string {
  let s = '';
  for (const c of state.received) s += String.fromCharCode(65 + c.writer);
  return s;
}

/** Result of `checkAtomicity`. */
export type AtomicityResult =
  | { ok: true }
  | {
      ok: false;
      /** Position in `outputOrder(state)` of the first foreign byte inside `writer`'s bytes. */
      offset: number;
      /** The writer whose write was split. */
      writer: number;
      /** Plain-English explanation naming both writers. */
      reason: string;
    };

/**
 * The atomicity invariant: every writer's accepted bytes (whole write or partial) appear
 * as one contiguous run in `outputOrder(state)`. A partial write is not a violation; a
 * write whose bytes have another writer's bytes between them is.
 *
 * On failure reports the earliest such foreign byte (lowest offset; ties: lowest writer),
 * e.g. "B's bytes land inside A's write: output byte 8 is B's byte 0, after A's byte 7 and
 * before A's byte 8."
 */
export function checkAtomicity(state: TtyState): AtomicityResult {
  if (isAtomic(state)) return OK;
  const order = outputOrder(state);
  const n = state.writers.length;
  const first: number[] = new Array(n).fill(-1);
  const last: number[] = new Array(n).fill(-1);
  order.forEach((c, i) => {
    if (first[c.writer] < 0) first[c.writer] = i;
    last[c.writer] = i;
  });
  let best: { offset: number; writer: number } | null = null;
  for (let w = 0; w < n; w++) {
    if (first[w] < 0) continue;
    for (let i = first[w] + 1; i < last[w]; i++) {
      if (order[i].writer !== w) {
        if (!best || i < best.offset) best = { offset: i, writer: w };
        break;
      }
    }
  }
  if (!best) return { ok: true };
  const w = best.writer;
  const intruder = order[best.offset];
  // The byte just before the first foreign byte is `w`'s own (the scan starts at w's first).
  const before = order[best.offset - 1];
  let after = best.offset + 1;
  while (order[after].writer !== w) after++;
  const L = (i: number) => String.fromCharCode(65 + i);
  return {
    ok: false,
    offset: best.offset,
    writer: w,
    reason:
      `${L(intruder.writer)}'s bytes land inside ${L(w)}'s write: output byte ${best.offset} is ` +
      `${L(intruder.writer)}'s byte ${intruder.index}, after ${L(w)}'s byte ${before.index} and before ${L(w)}'s byte ${order[after].index}.`,
  };
}

const OK: AtomicityResult = { ok: true };

/**
 * Fast form of `checkAtomicity(state).ok`: true when each writer's bytes form one run in
 * output order. No allocation.
 */
export function isAtomic(state: TtyState): boolean {
  let finished = 0; // bit per writer whose run has ended
  let prev = -1;
  let ok = true;
  forEachOutputWriter(state, (w) => {
    if (w === prev) return;
    if (finished & (1 << w)) ok = false;
    if (prev >= 0) finished |= 1 << prev;
    prev = w;
  });
  return ok;
}

const PHASE_NUM = { ready: 0, 'lock-wait': 1, copying: 2, 'room-wait': 3, done: 4 } as const;


/**
 * A canonical string for a model checker's visited set: two states with the same key have
 * the same future (same `enabled`, same successors up to this key) and the same
 * `checkAtomicity` verdict on every extension.
 *
 * Includes: the lock owner and waiter queue, every writer's fields, the bytes received and
 * queued (as runs by writer: each writer's bytes always appear in index order), and for the
 * pipe each buffer's length and `offset`. Excludes: `stepIndex`, `event`, `lastChoice`,
 * `time_ns` (derived from the bytes sent), the xmit ring's absolute `head`/`tail` position
 * (`uart_write` copies `CIRC_SPACE` bytes whatever the wrap point, so only the count
 * matters), and `params`: keys are comparable only between states of the same params.
 */
export function canonicalKey(state: TtyState): string {
  // A flat string of UTF-16 code units (String.fromCharCode), not a concatenation: the
  // explorer's visited map then hashes it without flattening a rope first. Numbers take two
  // units (offset by 2^30, so -2^30 <= n < 2^30); 0xFFFF separates fields.
  const codes: number[] = [];
  const num = (n: number) => {
    const v = n + 0x40000000;
    codes.push((v >>> 16) & 0xffff, v & 0xffff);
  };
  num(state.lockOwner ?? -1);
  for (const w of state.lockWaiters) num(w);
  codes.push(0xffff);
  for (const w of state.writers) {
    codes.push(PHASE_NUM[w.phase] | (w.signalPending ? 8 : 0) | (w.signalUsed ? 16 : 0) | (w.result === null ? 32 : 0));
    num(w.written);
    num(w.chunkLeft);
    num(w.result ?? 0);
  }
  codes.push(0xffff);
  num(state.received.length);
  let prev = -1;
  let count = 0;
  forEachOutputWriter(state, (w) => {
    if (w === prev) {
      count++;
      return;
    }
    if (prev >= 0) {
      codes.push(prev);
      num(count);
    }
    prev = w;
    count = 1;
  });
  if (prev >= 0) {
    codes.push(prev);
    num(count);
  }
  if (state.params.variant === 'pipe') {
    codes.push(0xffff);
    for (const b of state.pipe.bufs) {
      num(b.offset);
      num(b.cells.length);
    }
  }
  return String.fromCharCode.apply(null, codes);
}

/**
 * A seeded random scheduler for auto-play: returns `pick(choices, state)` choosing
 * uniformly among `choices` with mulberry32 (`../core/rng.ts`). The generator state lives in
 * the returned closure, so each call to `randomSchedulerPick` starts a fresh, reproducible
 * sequence; the model itself stays free of randomness. Throws `Error` if `choices` is empty.
 */
export function randomSchedulerPick(seed: number): (choices: readonly TtyChoice[], state?: TtyState) => TtyChoice {
  let s = seedFrom(seed);
  return (choices) => {
    if (choices.length === 0) throw new Error('randomSchedulerPick: no choices to pick from');
    const [i, next] = nextInt(s, choices.length);
    s = next;
    return choices[i];
  };
}
