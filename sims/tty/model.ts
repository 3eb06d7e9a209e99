/**
 * The tty write-atomicity model: writers each issue one write(2) to the same serial tty (or,
 * for contrast, the same pipe), and a scheduler decides who runs next, when a signal lands,
 * and when the UART (or the pipe reader) drains bytes.
 *
 * Modelled on Linux 6.12:
 * - `drivers/tty/tty_io.c`: `tty_write` -> `file_tty_write` -> `iterate_tty_write`, which
 *   takes `tty->atomic_write_lock` with `tty_write_lock` (trylock; O_NONBLOCK -> -EAGAIN;
 *   else `mutex_lock_interruptible` -> -ERESTARTSYS on a signal), hands the write to the line
 *   discipline in chunks of `min(chunk, count)`, checks `signal_pending` between chunks, and
 *   releases the lock only in `tty_write_unlock` when the whole write(2) returns.
 * - `drivers/tty/n_tty.c`: `n_tty_write` (raw output, no OPOST), which checks
 *   `signal_pending` at the top of its loop (on entry and after every wake-up), calls the
 *   driver's write until it accepts nothing, then returns -EAGAIN (O_NONBLOCK) or sleeps in
 *   `wait_woken` until the driver makes room; it returns the bytes copied if any, else the
 *   error.
 * - `drivers/tty/serial/serial_core.c`: `uart_write`, which copies as much as fits into the
 *   xmit ring under `port->lock` and returns the count; it never sleeps.
 * - `include/linux/serial_core.h`: `uart_port_tx_limited` (the UART's transmit helper),
 *   which sends from the ring's tail and calls `uart_write_wakeup` when fewer than
 *   WAKEUP_CHARS (256) bytes remain.
 * - `fs/pipe.c`: `pipe_write` / `pipe_read` with `pipe->mutex`, for contrast.
 *
 * Granularity: one `run` step is one call from a writer's position to the next point where
 * another actor could matter: taking the lock, one `n_tty_write` -> `uart_write` call, one
 * pipe buffer filled. Everything a writer does while no other actor can observe it (the
 * `uart_write` copy under `port->lock`, the pipe work under `pipe->mutex`) happens inside
 * one step.
 *
 * Where the model departs from the kernel (each is also noted at the code):
 * 1. The xmit ring follows `include/linux/circ_buf.h` (one slot always empty, so it holds at
 *    most `xmitSize - 1` bytes) and `uart_write` is the pre-6.10 `CIRC_SPACE_TO_END` copy
 *    loop. In 6.12 (since commit 1788cf6a91d9, v6.10) the ring is a kfifo (`xmit_fifo`,
 *    `kfifo_in`), which can fill all `xmitSize` bytes. The partial-count behaviour, which is
 *    what matters for atomicity, is the same.
 * 2. Sleeping writers wake when the ring has any room at all; the kernel's UART helpers call
 *    `uart_write_wakeup` once fewer than WAKEUP_CHARS (256) bytes are pending, which for a
 *    scaled-down ring of at most 256 bytes is every time.
 * 3. A signal is delivered to a handler installed without SA_RESTART, so -ERESTARTSYS
 *    reaches user space as EINTR. With SA_RESTART a write that had copied nothing would be
 *    restarted transparently instead.
 * 4. Line-discipline details not on this path are left out: OPOST output processing, echoes
 *    (written under `ldata->output_lock`, not `atomic_write_lock`), job control, hang-ups,
 *    `TTY_NO_WRITE_SPLIT` (set `chunkSize` instead).
 * 5. Mutex wake-ups: `mutex_unlock` wakes the first waiter, which then competes with any
 *    writer calling `mutex_trylock` at that moment (no hand-off modelled); pipe writers
 *    sleeping for room are all woken when a buffer frees, where the kernel's exclusive
 *    wait wakes one and chains the next. Both only add schedules, never remove real ones.
 * 6. A pipe writer woken for room must also retake `pipe->mutex`; the model folds that wait
 *    into the wake-up (it wakes only when the mutex is free), which skips a no-op step but
 *    changes no outcome. The reader's step takes and drops `pipe->mutex` within the step, so
 *    it cannot run while a writer holds the mutex.
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';
import { circSpaceToEnd, pipeFull, ringCount, ringSpace } from './analysis.ts';
import type { Cell, PipeBuffer, TtyChoice, TtyParams, TtyState, WriterSpec, WriterState, XmitRing } from './types.ts';

export {
  canonicalKey,
  checkAtomicity,
  circCnt,
  circSpace,
  circSpaceToEnd,
  outputOrder,
  pipeCount,
  pipeFull,
  queuedCells,
  randomSchedulerPick,
  receivedText,
  ringCount,
  ringSpace,
} from './analysis.ts';
export type { AtomicityResult } from './analysis.ts';

/** `EAGAIN` on Linux: write(2) returns -1 with errno 11; the model's `result` is -11. */
export const EAGAIN = 11;
/** `EINTR` on Linux: write(2) returns -1 with errno 4; the model's `result` is -4. */
export const EINTR = 4;
/** The kernel version every step's source was read in. */
export const KERNEL_VERSION = '6.12';

/** Largest accepted write size, chunk, page or drain, in bytes (keeps states small). */
export const MAX_BYTES = 1 << 20;
/** Largest accepted xmit ring, in bytes (a 64 KiB PAGE_SIZE). */
export const MAX_XMIT = 1 << 16;
/** Largest accepted number of pipe buffers (the kernel's maximum pipe is 1 MiB = 256 pages). */
export const MAX_PIPE_SLOTS = 256;

function source(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

const SRC = {
  ttyWriteLock: source('drivers/tty/tty_io.c', 'tty_write_lock'),
  iterateTtyWrite: source('drivers/tty/tty_io.c', 'iterate_tty_write'),
  nTtyWrite: source('drivers/tty/n_tty.c', 'n_tty_write'),
  uartWrite: source('drivers/tty/serial/serial_core.c', 'uart_write'),
  uartTx: source('include/linux/serial_core.h', 'uart_port_tx_limited'),
  // Not in the extracted tree used for this model, but unchanged for years: sets
  // TIF_SIGPENDING and wakes the task if it sleeps interruptibly.
  signal: source('kernel/signal.c', 'signal_wake_up_state'),
  pipeWrite: source('fs/pipe.c', 'pipe_write'),
  pipeRead: source('fs/pipe.c', 'pipe_read'),
} as const;

/** Writer `i`'s letter, 'A' + i. */
function L(i: number): string {
  return String.fromCharCode(65 + i);
}

function bytes(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

function letters(cells: readonly Cell[]): string {
  let s = '';
  for (const c of cells) s += L(c.writer);
  return s;
}

/** What write(2) returned, in words: "write(2) returns 12", "... 5 of 12 bytes (a partial write)", "fails with EINTR". */
function resultPhrase(result: number, size: number): string {
  if (result === -EAGAIN) return 'write(2) fails with EAGAIN';
  if (result === -EINTR) return 'write(2) fails with EINTR';
  if (result < size) return `write(2) returns ${result} of ${size} bytes (a partial write)`;
  return `write(2) returns ${result}`;
}

/**
 * Simulated wire time of `sent` bytes at `baud` with 8N1 framing (1 start, 8 data, 1 stop
 * = 10 bits a byte), in whole nanoseconds: round(sent * 10 * 1e9 / baud). Computed from the
 * total sent rather than summed per step, so it never drifts: 230400 baud is 23040 bytes/s,
 * so 23040 bytes take exactly 1e9 ns. Models the arithmetic of `uart_update_timeout` /
 * `tty_get_frame_size` (`drivers/tty/serial/serial_core.c`, `drivers/tty/tty_ioctl.c`, 6.12).
 */
export function wireTimeNs(sent: number, baud: number): number {
  return Math.round((sent * 10 * 1e9) / baud);
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/**
 * Checks `params` and throws `RangeError` naming the first bad field: variant one of
 * 'kernel' | 'no-lock' | 'pipe'; 1 to 4 writers, each with an integer `size` in
 * 1..MAX_BYTES and boolean `nonblock`, `signal`; integer `chunkSize`, `pipeBuf`,
 * `drainBytes` in 1..MAX_BYTES; `xmitSize` a power of two in 2..MAX_XMIT; integer
 * `pipeSlots` in 1..MAX_PIPE_SLOTS; `baud` a finite number > 0.
 */
export function validateParams(params: TtyParams): void {
  if (typeof params !== 'object' || params === null) throw new RangeError('tty params: expected an object');
  if (params.variant !== 'kernel' && params.variant !== 'no-lock' && params.variant !== 'pipe') {
    throw new RangeError(`tty params: variant must be 'kernel', 'no-lock' or 'pipe', got ${JSON.stringify(params.variant)}`);
  }
  if (!Array.isArray(params.writers) || params.writers.length < 1 || params.writers.length > 4) {
    throw new RangeError(`tty params: writers must be an array of 1 to 4 writers, got ${Array.isArray(params.writers) ? params.writers.length : typeof params.writers}`);
  }
  params.writers.forEach((w: WriterSpec, i) => {
    if (typeof w !== 'object' || w === null) throw new RangeError(`tty params: writers[${i}] must be an object`);
    if (!isInt(w.size) || w.size < 1 || w.size > MAX_BYTES) {
      throw new RangeError(`tty params: writers[${i}].size must be an integer from 1 to ${MAX_BYTES}, got ${w.size}`);
    }
    if (typeof w.nonblock !== 'boolean') throw new RangeError(`tty params: writers[${i}].nonblock must be a boolean`);
    if (typeof w.signal !== 'boolean') throw new RangeError(`tty params: writers[${i}].signal must be a boolean`);
  });
  for (const key of ['chunkSize', 'pipeBuf', 'drainBytes'] as const) {
    const v = params[key];
    if (!isInt(v) || v < 1 || v > MAX_BYTES) throw new RangeError(`tty params: ${key} must be an integer from 1 to ${MAX_BYTES}, got ${v}`);
  }
  const x = params.xmitSize;
  if (!isInt(x) || x < 2 || x > MAX_XMIT || (x & (x - 1)) !== 0) {
    throw new RangeError(`tty params: xmitSize must be a power of two from 2 to ${MAX_XMIT} (circ_buf masks with size - 1), got ${x}`);
  }
  if (!isInt(params.pipeSlots) || params.pipeSlots < 1 || params.pipeSlots > MAX_PIPE_SLOTS) {
    throw new RangeError(`tty params: pipeSlots must be an integer from 1 to ${MAX_PIPE_SLOTS}, got ${params.pipeSlots}`);
  }
  if (typeof params.baud !== 'number' || !Number.isFinite(params.baud) || params.baud <= 0) {
    throw new RangeError(`tty params: baud must be a positive number, got ${params.baud}`);
  }
}

function cloneParams(p: TtyParams): TtyParams {
  return {
    variant: p.variant,
    writers: p.writers.map((w) => ({ size: w.size, nonblock: w.nonblock, signal: w.signal })),
    chunkSize: p.chunkSize,
    xmitSize: p.xmitSize,
    pipeBuf: p.pipeBuf,
    pipeSlots: p.pipeSlots,
    baud: p.baud,
    drainBytes: p.drainBytes,
  };
}

// ---------------------------------------------------------------------------------------
// Small immutable-update helpers.

/** The outcome of one step before `stepIndex`, `event` and `lastChoice` are attached. */
interface Outcome {
  state: TtyState;
  /** The narration, or a function building it (only called when someone will read it). */
  narration: string | (() => string);
  source: KernelSource | null;
  actor: number | string;
}

function withWriter(s: TtyState, i: number, patch: Partial<WriterState>): TtyState {
  const writers = s.writers.slice();
  writers[i] = { ...writers[i], ...patch };
  return { ...s, writers };
}

/** write(2) returns `result`: the writer is done, its lock (if it holds one) is released. */
function finish(s: TtyState, i: number, result: number): TtyState {
  const errno = result === -EAGAIN ? 'EAGAIN' : result === -EINTR ? 'EINTR' : null;
  // On return to user space a pending signal's handler runs, so nothing stays pending.
  const next = withWriter(s, i, { phase: 'done', result, errno, chunkLeft: 0, signalPending: false });
  return {
    ...next,
    lockOwner: s.lockOwner === i ? null : s.lockOwner,
    lockWaiters: s.lockWaiters.includes(i) ? s.lockWaiters.filter((w) => w !== i) : s.lockWaiters,
  };
}

/** The chunk `iterate_tty_write` hands to the line discipline next: min(chunk, count). */
function nextChunk(s: TtyState, i: number, written: number): number {
  return Math.min(s.params.chunkSize, s.params.writers[i].size - written);
}

/** " and tty_write_unlock releases atomic_write_lock" (kernel), "" (no-lock), pipe mutex. */
function unlockText(s: TtyState): string {
  if (s.params.variant === 'kernel') return ' and tty_write_unlock releases atomic_write_lock';
  if (s.params.variant === 'pipe') return ' and pipe->mutex is released';
  return '';
}

function holdText(s: TtyState): string {
  return s.params.variant === 'kernel' ? ', still holding atomic_write_lock' : '';
}

function callsText(s: TtyState, i: number): string {
  const spec = s.params.writers[i];
  return `Writer ${L(i)} calls write(2) for ${bytes(spec.size)}${spec.nonblock ? ' with O_NONBLOCK' : ''}`;
}

// ---------------------------------------------------------------------------------------
// The tty path (variants 'kernel' and 'no-lock').

/**
 * `uart_write` before v6.10 (`drivers/tty/serial/serial_core.c`), under `port->lock`:
 *
 *     while (1) {
 *         c = CIRC_SPACE_TO_END(circ->head, circ->tail, UART_XMIT_SIZE);
 *         if (count < c) c = count;
 *         if (c <= 0) break;
 *         memcpy(circ->buf + circ->head, buf, c);
 *         circ->head = (circ->head + c) & (UART_XMIT_SIZE - 1);
 *         buf += c; count -= c; ret += c;
 *     }
 *
 * 6.12's `kfifo_in` returns the same kind of partial count (see departure 1 at the top).
 * Copies bytes `firstIndex ..` of `writer`'s buffer; returns the new ring and the count.
 */
function uartWrite(xmit: XmitRing, size: number, writer: number, firstIndex: number, count: number): { xmit: XmitRing; accepted: number } {
  let head = xmit.head;
  const tail = xmit.tail;
  let ret = 0;
  let buf: (Cell | null)[] | null = null;
  for (;;) {
    let c = circSpaceToEnd(head, tail, size);
    if (count < c) c = count;
    if (c <= 0) break;
    if (!buf) buf = xmit.buf.slice();
    for (let k = 0; k < c; k++) buf[head + k] = { writer, index: firstIndex + ret + k };
    head = (head + c) & (size - 1);
    count -= c;
    ret += c;
  }
  return buf ? { xmit: { buf, head, tail }, accepted: ret } : { xmit, accepted: 0 };
}

/** `tty_write` -> `file_tty_write` -> `iterate_tty_write` -> `tty_write_lock`. */
function ttyReady(s: TtyState, i: number): Outcome {
  const spec = s.params.writers[i];
  const chunk = nextChunk(s, i, 0);
  if (s.params.variant === 'no-lock') {
    // Departure by design: this variant stands for a path that reaches the line discipline
    // or driver without atomic_write_lock (as a helper calling tty->ops->write would).
    return {
      state: withWriter(s, i, { phase: 'copying', chunkLeft: chunk }),
      narration: () => `${callsText(s, i)}; this path takes no atomic_write_lock, and iterate_tty_write cuts a first chunk of ${bytes(chunk)}.`,
      source: SRC.iterateTtyWrite,
      actor: i,
    };
  }
  if (s.lockOwner === null) {
    // mutex_trylock succeeds whenever the mutex is free, even if a woken waiter has not run
    // yet: the model does not hand the lock off to the first waiter.
    return {
      state: { ...withWriter(s, i, { phase: 'copying', chunkLeft: chunk }), lockOwner: i },
      narration: () => `${callsText(s, i)}; tty_write_lock takes atomic_write_lock and iterate_tty_write cuts a first chunk of ${bytes(chunk)}.`,
      source: SRC.ttyWriteLock,
      actor: i,
    };
  }
  if (spec.nonblock) {
    return {
      state: finish(s, i, -EAGAIN),
      narration: () => `${callsText(s, i)}; tty_write_lock finds atomic_write_lock held by ${L(s.lockOwner as number)} and returns -EAGAIN, so write(2) fails with EAGAIN.`,
      source: SRC.ttyWriteLock,
      actor: i,
    };
  }
  return {
    state: { ...withWriter(s, i, { phase: 'lock-wait' }), lockWaiters: [...s.lockWaiters, i] },
    narration: () => `${callsText(s, i)}; atomic_write_lock is held by ${L(s.lockOwner as number)}, so tty_write_lock sleeps in mutex_lock_interruptible.`,
    source: SRC.ttyWriteLock,
    actor: i,
  };
}

/** Asleep in `mutex_lock_interruptible`: woken by `mutex_unlock` (lock free) or a signal. */
function ttyLockWait(s: TtyState, i: number): Outcome {
  const ws = s.writers[i];
  if (s.lockOwner === null) {
    // __mutex_lock_common tries __mutex_trylock before it checks signal_pending_state, so a
    // free lock is taken even with a signal pending; n_tty_write then sees the signal.
    const chunk = nextChunk(s, i, 0);
    const taken = {
      ...withWriter(s, i, { phase: 'copying', chunkLeft: chunk }),
      lockOwner: i,
      lockWaiters: s.lockWaiters.filter((w) => w !== i),
    };
    return {
      state: taken,
      narration: () =>
        ws.signalPending
        ? `Writer ${L(i)} wakes and mutex_lock_interruptible takes the free atomic_write_lock before it checks the pending signal; iterate_tty_write cuts a first chunk of ${bytes(chunk)}.`
        : `Writer ${L(i)} wakes and mutex_lock_interruptible takes atomic_write_lock; iterate_tty_write cuts a first chunk of ${bytes(chunk)}.`,
      source: SRC.ttyWriteLock,
      actor: i,
    };
  }
  // Enabled only with a signal pending: mutex_lock_interruptible returns -EINTR,
  // tty_write_lock turns it into -ERESTARTSYS, seen by user space as EINTR (no SA_RESTART).
  return {
    state: finish(s, i, -EINTR),
    narration: () => `The signal wakes writer ${L(i)} in mutex_lock_interruptible; tty_write_lock returns -ERESTARTSYS, so write(2) fails with EINTR.`,
    source: SRC.ttyWriteLock,
    actor: i,
  };
}

/**
 * One `n_tty_write` -> `uart_write` call for the current chunk (after the signal check),
 * then what `n_tty_write` / `iterate_tty_write` do with the count. `woke` is true when the
 * writer was asleep in `n_tty_write`'s `wait_woken` and the UART made room.
 */
function ttyCopy(s: TtyState, i: number, woke: boolean): Outcome {
  const spec = s.params.writers[i];
  const ws = s.writers[i];
  const { xmit, accepted } = uartWrite(s.xmit, s.params.xmitSize, i, ws.written, ws.chunkLeft);
  const written = ws.written + accepted;
  const chunkLeft = ws.chunkLeft - accepted;
  const s1: TtyState = { ...s, xmit };
  const who = L(i);
  let head: string;
  if (woke) {
    head = `Writer ${who} wakes in n_tty_write (the UART made room) and uart_write copies ${accepted} more ${accepted === 1 ? 'byte' : 'bytes'} into the xmit ring`;
  } else if (chunkLeft === 0) {
    head = `Writer ${who}'s n_tty_write passes ${bytes(ws.chunkLeft)} to uart_write, which copies ${ws.chunkLeft === 1 ? 'it' : ws.chunkLeft === 2 ? 'both' : `all ${ws.chunkLeft}`} into the xmit ring`;
  } else if (accepted > 0) {
    head = `Writer ${who}'s n_tty_write passes ${bytes(ws.chunkLeft)} to uart_write, which has room for only ${accepted}`;
  } else {
    head = `Writer ${who}'s n_tty_write passes ${bytes(ws.chunkLeft)} to uart_write, which accepts none (the xmit ring is full)`;
  }

  if (chunkLeft === 0) {
    if (written === spec.size) {
      return {
        state: finishWritten(s1, i, written, spec.size),
        narration: () => `${head}; ${resultPhrase(spec.size, spec.size)}${unlockText(s)}.`,
        source: SRC.uartWrite,
        actor: i,
      };
    }
    // iterate_tty_write: written += ret; count -= ret; signal_pending() (no: it would have
    // been caught at the top of this step); cond_resched(); next chunk.
    const chunk = nextChunk(s, i, written);
    return {
      state: withWriter(s1, i, { phase: 'copying', written, chunkLeft: chunk }),
      narration: () => `${head}; iterate_tty_write moves on to the next chunk of ${bytes(chunk)}${holdText(s)}.`,
      source: SRC.uartWrite,
      actor: i,
    };
  }
  if (!spec.nonblock) {
    // n_tty_write: the driver took less than nr, so wait_woken(TASK_INTERRUPTIBLE) until
    // tty_wakeup; iterate_tty_write still holds atomic_write_lock all the while.
    return {
      state: withWriter(s1, i, { phase: 'room-wait', written, chunkLeft }),
      narration: () => `${head}; n_tty_write sleeps until the UART makes room${holdText(s)}.`,
      source: SRC.nTtyWrite,
      actor: i,
    };
  }
  if (accepted > 0) {
    // n_tty_write returns b - buf (> 0) instead of -EAGAIN; iterate_tty_write reverts the
    // iov_iter by the rest and loops: it offers the remainder again as a new chunk, and only
    // a call that copies nothing ends the write.
    const chunk = nextChunk(s, i, written);
    return {
      state: withWriter(s1, i, { phase: 'copying', written, chunkLeft: chunk }),
      narration: () => `${head}; with O_NONBLOCK n_tty_write returns ${accepted} instead of sleeping, and iterate_tty_write offers the next ${bytes(chunk)} as a new chunk.`,
      source: SRC.nTtyWrite,
      actor: i,
    };
  }
  // Nothing copied in this call: n_tty_write returns -EAGAIN; iterate_tty_write returns
  // what earlier chunks wrote, or -EAGAIN if nothing.
  const result = written > 0 ? written : -EAGAIN;
  return {
    state: finishWritten(s1, i, written, result),
    narration: () => `${head}; with O_NONBLOCK n_tty_write returns -EAGAIN, so ${resultPhrase(result, spec.size)}${unlockText(s)}.`,
    source: SRC.nTtyWrite,
    actor: i,
  };
}

/** `finish` after recording the final `written` count. */
function finishWritten(s: TtyState, i: number, written: number, result: number): TtyState {
  return finish(withWriter(s, i, { written }), i, result);
}

/** Holding the lock (or not, for 'no-lock') at the start of an `n_tty_write` call. */
function ttyCopying(s: TtyState, i: number): Outcome {
  const ws = s.writers[i];
  const spec = s.params.writers[i];
  if (ws.signalPending) {
    const result = ws.written > 0 ? ws.written : -EINTR;
    if (ws.written > 0) {
      // iterate_tty_write: `if (signal_pending(current)) break;` between chunks; written > 0.
      return {
        state: finish(s, i, result),
        narration: () => `iterate_tty_write sees writer ${L(i)}'s pending signal between chunks, so ${resultPhrase(result, spec.size)}${unlockText(s)}.`,
        source: SRC.iterateTtyWrite,
        actor: i,
      };
    }
    // n_tty_write checks signal_pending() at the top of its loop, before any copy.
    return {
      state: finish(s, i, result),
      narration: () => `n_tty_write sees writer ${L(i)}'s pending signal before copying anything and returns -ERESTARTSYS, so write(2) fails with EINTR${unlockText(s)}.`,
      source: SRC.nTtyWrite,
      actor: i,
    };
  }
  return ttyCopy(s, i, false);
}

/** Asleep in `n_tty_write`'s `wait_woken`: woken by the UART's write_wakeup or a signal. */
function ttyRoomWait(s: TtyState, i: number): Outcome {
  const ws = s.writers[i];
  if (ws.signalPending) {
    // Top of n_tty_write's loop: signal_pending -> return the bytes of this chunk copied so
    // far, or -ERESTARTSYS; iterate_tty_write then returns its total written, if any.
    const result = ws.written > 0 ? ws.written : -EINTR;
    return {
      state: finish(s, i, result),
      narration: () => `The signal wakes writer ${L(i)} in n_tty_write, which stops waiting for room, so ${resultPhrase(result, s.params.writers[i].size)}${unlockText(s)}.`,
      source: SRC.nTtyWrite,
      actor: i,
    };
  }
  return ttyCopy(s, i, true);
}

/** The UART transmits up to `drainBytes` from the xmit tail (`uart_port_tx_limited`). */
function uartStep(s: TtyState): Outcome {
  const size = s.params.xmitSize;
  const n = Math.min(s.params.drainBytes, ringCount(s));
  const buf = s.xmit.buf.slice();
  let tail = s.xmit.tail;
  const sent: Cell[] = [];
  for (let k = 0; k < n; k++) {
    sent.push(buf[tail] as Cell);
    buf[tail] = null;
    tail = (tail + 1) & (size - 1);
  }
  const received = s.received.concat(sent);
  const time_ns = wireTimeNs(received.length, s.params.baud);
  const us = ((time_ns - s.time_ns) / 1000).toFixed(1);
  return {
    state: { ...s, xmit: { buf, head: s.xmit.head, tail }, received, time_ns },
    narration: () => `The UART sends ${bytes(n)} (${letters(sent)}) from the xmit tail in ${us} µs (${s.params.baud} baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.`,
    source: SRC.uartTx,
    actor: 'uart',
  };
}

// ---------------------------------------------------------------------------------------
// The pipe path (variant 'pipe'), fs/pipe.c.

/** `pipe_write`: `mutex_lock(&pipe->mutex)` (uninterruptible; O_NONBLOCK does not apply). */
function pipeReady(s: TtyState, i: number): Outcome {
  if (s.lockOwner === null) {
    return {
      state: { ...withWriter(s, i, { phase: 'copying' }), lockOwner: i },
      narration: () => `${callsText(s, i)}; pipe_write takes pipe->mutex.`,
      source: SRC.pipeWrite,
      actor: i,
    };
  }
  return {
    state: { ...withWriter(s, i, { phase: 'lock-wait' }), lockWaiters: [...s.lockWaiters, i] },
    narration: () => `${callsText(s, i)}; pipe->mutex is held by ${L(s.lockOwner as number)}, so pipe_write sleeps in mutex_lock, which neither O_NONBLOCK nor a signal cuts short.`,
    source: SRC.pipeWrite,
    actor: i,
  };
}

/** Asleep in `mutex_lock(&pipe->mutex)`; runnable only once the mutex is free. */
function pipeLockWait(s: TtyState, i: number): Outcome {
  return {
    state: { ...withWriter(s, i, { phase: 'copying' }), lockOwner: i, lockWaiters: s.lockWaiters.filter((w) => w !== i) },
    narration: () => `Writer ${L(i)} wakes in pipe_write's mutex_lock and now holds pipe->mutex.`,
    source: SRC.pipeWrite,
    actor: i,
  };
}

/**
 * `pipe_write`'s main loop, holding `pipe->mutex`: fill one fresh page if a slot is free,
 * then, if the ring is full and bytes remain: O_NONBLOCK -> return (written or -EAGAIN);
 * `signal_pending` -> return (written or -ERESTARTSYS); else drop the mutex and sleep in
 * `wait_event_interruptible_exclusive(pipe->wr_wait, pipe_writable(pipe))`.
 * `woke` is true when the writer was asleep for room.
 */
function pipeLoop(s: TtyState, i: number, woke: boolean, noMerge = ''): Outcome {
  const spec = s.params.writers[i];
  const ws = s.writers[i];
  const who = L(i);
  let cur: TtyState = woke ? { ...s, lockOwner: i } : s;
  let written = ws.written;
  let head: string;
  let filled = false;
  if (!pipeFull(cur)) {
    const n = Math.min(s.params.pipeBuf, spec.size - written);
    const cells: Cell[] = [];
    for (let k = 0; k < n; k++) cells.push({ writer: i, index: written + k });
    const buf: PipeBuffer = { cells, offset: 0 };
    cur = { ...cur, pipe: { bufs: [...cur.pipe.bufs, buf] } };
    written += n;
    filled = true;
    if (woke && ws.signalPending) {
      head = `Writer ${who} wakes, takes pipe->mutex again and, since a buffer is free, fills it with ${bytes(n)} (pipe_write checks for signals only when the pipe is full)`;
    } else if (woke) {
      head = `Writer ${who} wakes (a pipe buffer is free), takes pipe->mutex again and fills a fresh pipe buffer with ${bytes(n)}`;
    } else if (noMerge) {
      head = `${noMerge}, so pipe_write fills a fresh pipe buffer with ${bytes(n)}`;
    } else {
      head = `Writer ${who}'s pipe_write fills a fresh pipe buffer with ${bytes(n)}`;
    }
    if (written === spec.size) {
      return {
        state: finishWritten(cur, i, written, spec.size),
        narration: () => `${head}; ${resultPhrase(spec.size, spec.size)}${unlockText(s)}.`,
        source: SRC.pipeWrite,
        actor: i,
      };
    }
    // Still holding pipe->mutex with bytes left. A writer woken for room is now copying
    // again (pipe_write loops after mutex_lock), whatever phase it slept in: leaving it in
    // 'room-wait' while it owns the mutex would make it wait for itself.
    cur = withWriter(cur, i, { written, phase: 'copying' });
    if (!pipeFull(cur)) {
      return {
        state: cur,
        narration: () => `${head}; a slot is still free, so it goes on with the ${bytes(spec.size - written)} left.`,
        source: SRC.pipeWrite,
        actor: i,
      };
    }
    head += '; the pipe is now full';
  } else if (woke) {
    // Only a pending signal wakes a writer while the pipe is still full (see `runnable`).
    const result = written > 0 ? written : -EINTR;
    return {
      state: finishWritten(cur, i, written, result),
      narration: () => `The signal wakes writer ${who}; pipe_write takes pipe->mutex again, finds the pipe still full and sees the signal, so ${resultPhrase(result, spec.size)}${unlockText(s)}.`,
      source: SRC.pipeWrite,
      actor: i,
    };
  } else if (noMerge) {
    head = `${noMerge} and the pipe is full`;
  } else {
    head = `Writer ${who}'s pipe_write finds the pipe full`;
  }
  if (spec.nonblock) {
    const result = written > 0 ? written : -EAGAIN;
    return {
      state: finishWritten(cur, i, written, result),
      narration: () => `${head} and the fd is O_NONBLOCK, so ${resultPhrase(result, spec.size)}${unlockText(s)}.`,
      source: SRC.pipeWrite,
      actor: i,
    };
  }
  if (cur.writers[i].signalPending) {
    const result = written > 0 ? written : -EINTR;
    return {
      state: finishWritten(cur, i, written, result),
      narration: () => `${head} and a signal is pending, so ${resultPhrase(result, spec.size)}${unlockText(s)}.`,
      source: SRC.pipeWrite,
      actor: i,
    };
  }
  return {
    state: { ...withWriter(cur, i, { phase: 'room-wait', written }), lockOwner: null },
    narration: () => `${head}, so ${filled ? 'it' : 'pipe_write'} releases pipe->mutex and sleeps until the reader frees a buffer${written === 0 ? ', having committed nothing' : ''}.`,
    source: SRC.pipeWrite,
    actor: i,
  };
}

/**
 * Holding `pipe->mutex`. The first step after taking the mutex on entry (`written === 0`:
 * a writer that slept for room always commits a buffer when it wakes) makes `pipe_write`'s
 * merge attempt: `chars = total_len & (PAGE_SIZE-1)`; if the pipe is not empty and those
 * `chars` fit whole after the last buffer's `offset + len`, they are appended there.
 */
function pipeCopying(s: TtyState, i: number): Outcome {
  const spec = s.params.writers[i];
  const ws = s.writers[i];
  if (ws.written === 0) {
    const chars = spec.size % s.params.pipeBuf; // total_len & (PAGE_SIZE-1) for a power of two
    const bufs = s.pipe.bufs;
    const last = bufs[bufs.length - 1];
    if (chars > 0 && last && last.offset + last.cells.length + chars <= s.params.pipeBuf) {
      const add: Cell[] = [];
      for (let k = 0; k < chars; k++) add.push({ writer: i, index: k });
      const merged: PipeBuffer = { cells: last.cells.concat(add), offset: last.offset };
      const cur: TtyState = { ...s, pipe: { bufs: [...bufs.slice(0, -1), merged] } };
      if (chars === spec.size) {
        return {
          state: finishWritten(cur, i, chars, spec.size),
          narration: () => `pipe_write merges writer ${L(i)}'s ${bytes(chars)} into the last pipe buffer, where ${chars === 1 ? 'it fits' : 'they fit'} whole, so ${resultPhrase(spec.size, spec.size)}${unlockText(s)}.`,
          source: SRC.pipeWrite,
          actor: i,
        };
      }
      return {
        state: withWriter(cur, i, { written: chars }),
        narration: () => `pipe_write merges the first ${bytes(chars)} of writer ${L(i)}'s ${spec.size} (${spec.size} mod PIPE_BUF) into the last pipe buffer; whole pages follow.`,
        source: SRC.pipeWrite,
        actor: i,
      };
    }
  }
  return pipeLoop(s, i, false, mergeFailure(s, i));
}

/** On entry, why `pipe_write`'s merge attempt did not apply, in words ('' when not tried). */
function mergeFailure(s: TtyState, i: number): string {
  const spec = s.params.writers[i];
  if (s.writers[i].written !== 0) return '';
  const chars = spec.size % s.params.pipeBuf;
  const last = s.pipe.bufs[s.pipe.bufs.length - 1];
  if (chars === 0 || !last) return '';
  const used = last.offset + last.cells.length;
  const what = chars === spec.size ? `Writer ${L(i)}'s ${bytes(chars)}` : `The first ${bytes(chars)} of writer ${L(i)}'s ${spec.size} (${spec.size} mod PIPE_BUF)`;
  return `${what} do${chars === 1 ? 'es' : ''} not fit after the ${used} used in the last pipe buffer`;
}

/** The reader's read(2) of up to `drainBytes`: `pipe_read`, oldest buffers first. */
function readerStep(s: TtyState): Outcome {
  let left = s.params.drainBytes;
  const bufs = s.pipe.bufs.slice();
  const got: Cell[] = [];
  let freed = 0;
  let touched = 0;
  while (left > 0 && bufs.length > 0) {
    const b = bufs[0];
    const k = Math.min(b.cells.length, left);
    for (let j = 0; j < k; j++) got.push(b.cells[j]);
    left -= k;
    touched++;
    if (k === b.cells.length) {
      // buf->len == 0: pipe_update_tail releases the page and advances the tail.
      bufs.shift();
      freed++;
    } else {
      bufs[0] = { cells: b.cells.slice(k), offset: b.offset + k };
    }
  }
  const from = touched > 1 ? 'the oldest pipe buffers' : 'the oldest pipe buffer';
  let freeText = '';
  if (freed > 0 && freed === touched) freeText = touched === 1 ? ', freeing it' : touched === 2 ? ', freeing both' : `, freeing all ${freed}`;
  else if (freed > 0) freeText = freed === 1 ? ', freeing the first' : `, freeing the first ${freed}`;
  return {
    state: { ...s, pipe: { bufs }, received: s.received.concat(got) },
    narration: () => `The reader's read(2) takes pipe->mutex and pipe_read copies ${bytes(got.length)} (${letters(got)}) from ${from}${freeText}.`,
    source: SRC.pipeRead,
    actor: 'reader',
  };
}

// ---------------------------------------------------------------------------------------
// Signals.

function signalStep(s: TtyState, i: number): Outcome {
  const ws = s.writers[i];
  const who = L(i);
  const pipe = s.params.variant === 'pipe';
  const arrives = `A signal arrives for writer ${who} (TIF_SIGPENDING is set)`;
  let narration: string;
  if (ws.phase === 'lock-wait') {
    narration = pipe
      ? `${arrives}, but mutex_lock sleeps uninterruptibly, so ${who} keeps waiting for pipe->mutex.`
      : `${arrives} and wakes it in mutex_lock_interruptible.`;
  } else if (ws.phase === 'room-wait') {
    narration = pipe
      ? `${arrives} and wakes it from wait_event_interruptible_exclusive in pipe_write.`
      : `${arrives} and wakes it from wait_woken in n_tty_write.`;
  } else {
    narration = pipe
      ? `${arrives}; pipe_write looks at it only if the pipe fills up.`
      : `${arrives}; the write path checks for it before handing over the next chunk.`;
  }
  return {
    state: withWriter(s, i, { signalPending: true, signalUsed: true }),
    narration,
    source: SRC.signal,
    actor: i,
  };
}

// ---------------------------------------------------------------------------------------
// The model.

function runnable(s: TtyState, i: number): boolean {
  const ws = s.writers[i];
  const pipe = s.params.variant === 'pipe';
  switch (ws.phase) {
    case 'ready':
    case 'copying':
      return true;
    case 'done':
      return false;
    case 'lock-wait':
      // mutex_unlock wakes the first waiter; a signal wakes an interruptible sleeper.
      if (s.lockOwner === null && s.lockWaiters[0] === i) return true;
      return !pipe && ws.signalPending;
    case 'room-wait':
      if (pipe) return s.lockOwner === null && (!pipeFull(s) || ws.signalPending);
      return ringSpace(s) > 0 || ws.signalPending;
  }
}

function enabledChoices(s: TtyState): TtyChoice[] {
  const out: TtyChoice[] = [];
  const n = s.writers.length;
  for (let i = 0; i < n; i++) if (runnable(s, i)) out.push({ kind: 'run', writer: i });
  for (let i = 0; i < n; i++) {
    const ws = s.writers[i];
    if (s.params.writers[i].signal && !ws.signalUsed && (ws.phase === 'lock-wait' || ws.phase === 'copying' || ws.phase === 'room-wait')) {
      out.push({ kind: 'signal', writer: i });
    }
  }
  if (s.params.variant === 'pipe') {
    if (s.pipe.bufs.length > 0 && s.lockOwner === null) out.push({ kind: 'reader' });
  } else if (ringCount(s) > 0) {
    out.push({ kind: 'uart' });
  }
  return out;
}

function sameChoice(a: TtyChoice, b: TtyChoice): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'run' || a.kind === 'signal') return a.writer === (b as { writer: number }).writer;
  return true;
}

function describeChoice(_s: TtyState, c: TtyChoice): string {
  switch (c.kind) {
    case 'run':
      return `run writer ${L(c.writer)}`;
    case 'signal':
      return `signal writer ${L(c.writer)}`;
    case 'uart':
      return 'UART sends';
    case 'reader':
      return 'reader reads';
  }
}

function normalise(c: TtyChoice): TtyChoice {
  return c.kind === 'run' || c.kind === 'signal' ? { kind: c.kind, writer: c.writer } : { kind: c.kind };
}

/**
 * The tty write-atomicity model (id `'tty'`), implementing `Model` of `../core/model.ts`.
 *
 * - `initialState(params, seed)`: validates `params` (`validateParams`, throws `RangeError`)
 *   and builds the state before any write(2); the seed is accepted for interface
 *   compatibility and unused (the model has no randomness).
 * - `enabled(state)`: `run` for each writer that can make progress (index order), `signal`
 *   for each writer with `spec.signal`, its signal unused, inside write(2); then `uart` when
 *   the xmit ring holds bytes (tty variants) or `reader` when the pipe holds bytes and
 *   `pipe->mutex` is free (pipe). Empty when every writer is done and everything is drained.
 * - `step(state, choice)`: pure; throws `Error` when `choice` is not enabled.
 * - `event(state)`: the narration, kernel source (`{file, fn, version: '6.12'}`) and actor
 *   of the step into `state`: the writer's index for `run` and for `signal` (the writer the
 *   signal is delivered to), `'uart'`, or `'reader'`.
 *
 * `time_ns` is the wire time of every byte the UART has sent (`wireTimeNs`); it stays 0 in
 * the pipe variant, which has no wire. `result` uses negative errnos (-EAGAIN = -11,
 * -EINTR = -4) with `errno` naming them.
 */
export const ttyModel: Model<TtyParams, TtyState, TtyChoice> = {
  id: 'tty',

  initialState(params: TtyParams, _seed: number): TtyState {
    validateParams(params);
    const p = cloneParams(params);
    const writers: WriterState[] = p.writers.map(() => ({
      phase: 'ready',
      written: 0,
      chunkLeft: 0,
      signalPending: false,
      signalUsed: false,
      result: null,
      errno: null,
    }));
    return {
      params: p,
      stepIndex: 0,
      time_ns: 0,
      lockOwner: null,
      lockWaiters: [],
      writers,
      xmit: { buf: new Array<Cell | null>(p.xmitSize).fill(null), head: 0, tail: 0 },
      pipe: { bufs: [] },
      received: [],
      event: null,
      lastChoice: null,
    };
  },

  enabled: enabledChoices,

  step(state: TtyState, choice: TtyChoice): TtyState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`tty model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    return applyChoice(state, choice);
  },

  stepFast: (state: TtyState, choice: TtyChoice) => applyChoice(state, choice, true),

  event(state: TtyState): StepEvent | null {
    return state.event;
  },

  describeChoice,
  sameChoice,
};

/**
 * `step` without the enabled check. `quiet` leaves the narration empty (the explorer never
 * reads it; building it is a good part of a step's cost).
 */
function applyChoice(state: TtyState, choice: TtyChoice, quiet = false): TtyState {
  {
    const pipe = state.params.variant === 'pipe';
    let r: Outcome;
    switch (choice.kind) {
      case 'uart':
        r = uartStep(state);
        break;
      case 'reader':
        r = readerStep(state);
        break;
      case 'signal':
        r = signalStep(state, choice.writer);
        break;
      case 'run': {
        const i = choice.writer;
        const phase = state.writers[i].phase;
        if (phase === 'ready') r = pipe ? pipeReady(state, i) : ttyReady(state, i);
        else if (phase === 'lock-wait') r = pipe ? pipeLockWait(state, i) : ttyLockWait(state, i);
        else if (phase === 'copying') r = pipe ? pipeCopying(state, i) : ttyCopying(state, i);
        else if (phase === 'room-wait') r = pipe ? pipeLoop(state, i, true) : ttyRoomWait(state, i);
        else throw new Error(`tty model: writer ${L(i)} is done`);
        break;
      }
    }
    const narration = quiet ? '' : typeof r.narration === 'string' ? r.narration : r.narration();
    const event: StepEvent = { narration, source: r.source, actor: r.actor };
    return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice: normalise(choice) };
  }
}
