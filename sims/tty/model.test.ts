import { describe, expect, it } from 'vitest';
import { replay, runToEnd } from '../core/model.ts';
import {
  EAGAIN,
  EINTR,
  canonicalKey,
  checkAtomicity,
  circCnt,
  circSpace,
  circSpaceToEnd,
  outputOrder,
  randomSchedulerPick,
  receivedText,
  ringSpace,
  ttyModel,
  wireTimeNs,
} from './model.ts';
import { TTY_PRESETS } from './presets.ts';
import type { TtyChoice, TtyParams, TtyState, Variant, WriterSpec } from './types.ts';

/** Time limit for the exhaustive searches (1-4 s alone; the test machine may be shared). */
const SLOW_MS = 60_000;

// ---------------------------------------------------------------------------------------
// Helpers

const W = (size: number, nonblock = false, signal = false): WriterSpec => ({ size, nonblock, signal });

/** The scaled-down system of the golden traces: ring of 8 (holds 7), chunks of 4. */
const SMALL = { chunkSize: 4, xmitSize: 8, drainBytes: 3, baud: 9600, pipeBuf: 4, pipeSlots: 2 };

function params(variant: Variant, writers: WriterSpec[], over: Partial<TtyParams> = {}): TtyParams {
  return { ...SMALL, variant, writers, ...over };
}

/** 'A'..'D' run, 'sA'.. signal, 'u' UART, 'r' reader. */
function ch(code: string): TtyChoice {
  if (code === 'u') return { kind: 'uart' };
  if (code === 'r') return { kind: 'reader' };
  if (code[0] === 's') return { kind: 'signal', writer: code.charCodeAt(1) - 65 };
  return { kind: 'run', writer: code.charCodeAt(0) - 65 };
}

function run(p: TtyParams, codes: string[]): TtyState[] {
  return replay(ttyModel, p, 0, codes.map(ch));
}

function last<T>(xs: T[]): T {
  return xs[xs.length - 1];
}

function isEnabled(s: TtyState, c: TtyChoice): boolean {
  return ttyModel.enabled(s).some((e) => ttyModel.sameChoice(e, c));
}

/** Every schedule, depth first; calls `onFinal` on each state where nothing is enabled. */
function forEachFinal(p: TtyParams, onFinal: (s: TtyState) => void): number {
  let finals = 0;
  const visit = (s: TtyState, depth: number): void => {
    if (depth > 200) throw new Error('schedule too long: the model does not terminate');
    const choices = ttyModel.enabled(s);
    if (choices.length === 0) {
      finals++;
      onFinal(s);
      return;
    }
    for (const c of choices) visit(ttyModel.step(s, c), depth + 1);
  };
  visit(ttyModel.initialState(p, 0), 0);
  return finals;
}

function outcome(s: TtyState): string {
  return `${receivedText(s)} ${s.writers.map((w) => w.result).join(',')}`;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

// ---------------------------------------------------------------------------------------

describe('golden traces', () => {
  it('kernel: B waits for atomic_write_lock, then sleeps for room holding it', () => {
    const states = run(params('kernel', [W(6), W(5)]), ['A', 'B', 'A', 'A', 'B', 'B', 'u', 'B', 'B', 'u', 'B', 'u', 'u']);
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      "Writer A calls write(2) for 6 bytes; tty_write_lock takes atomic_write_lock and iterate_tty_write cuts a first chunk of 4 bytes.",
      "Writer B calls write(2) for 5 bytes; atomic_write_lock is held by A, so tty_write_lock sleeps in mutex_lock_interruptible.",
      "Writer A's n_tty_write passes 4 bytes to uart_write, which copies all 4 into the xmit ring; iterate_tty_write moves on to the next chunk of 2 bytes, still holding atomic_write_lock.",
      "Writer A's n_tty_write passes 2 bytes to uart_write, which copies both into the xmit ring; write(2) returns 6 and tty_write_unlock releases atomic_write_lock.",
      "Writer B wakes and mutex_lock_interruptible takes atomic_write_lock; iterate_tty_write cuts a first chunk of 4 bytes.",
      "Writer B's n_tty_write passes 4 bytes to uart_write, which has room for only 1; n_tty_write sleeps until the UART makes room, still holding atomic_write_lock.",
      "The UART sends 3 bytes (AAA) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "Writer B wakes in n_tty_write (the UART made room) and uart_write copies 3 more bytes into the xmit ring; iterate_tty_write moves on to the next chunk of 1 byte, still holding atomic_write_lock.",
      "Writer B's n_tty_write passes 1 byte to uart_write, which accepts none (the xmit ring is full); n_tty_write sleeps until the UART makes room, still holding atomic_write_lock.",
      "The UART sends 3 bytes (AAA) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "Writer B wakes in n_tty_write (the UART made room) and uart_write copies 1 more byte into the xmit ring; write(2) returns 5 and tty_write_unlock releases atomic_write_lock.",
      "The UART sends 3 bytes (BBB) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "The UART sends 2 bytes (BB) from the xmit tail in 2083.3 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
    ]);
    const end = last(states);
    expect(receivedText(end)).toBe('AAAAAABBBBB');
    expect(end.time_ns).toBe(11458333); // 11 bytes * 10 bits / 9600 baud
    expect(ttyModel.enabled(end)).toEqual([]);
    expect(states.map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      'tty_write_lock',
      'tty_write_lock',
      'uart_write',
      'uart_write',
      'tty_write_lock',
      'n_tty_write',
      'uart_port_tx_limited',
      'uart_write',
      'n_tty_write',
      'uart_port_tx_limited',
      'uart_write',
      'uart_port_tx_limited',
      'uart_port_tx_limited',
    ]);
    expect(states[1].event).toEqual({
      narration: states[1].event?.narration,
      source: { file: 'drivers/tty/tty_io.c', fn: 'tty_write_lock', version: '6.12' },
      actor: 0,
    });
    expect(states[7].event?.actor).toBe('uart');
  });

  it('no-lock: B copies between A\'s chunks', () => {
    const states = run(params('no-lock', [W(6), W(5)]), ['A', 'B', 'A', 'B', 'u', 'A', 'B', 'u', 'u', 'u', 'B', 'u']);
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      "Writer A calls write(2) for 6 bytes; this path takes no atomic_write_lock, and iterate_tty_write cuts a first chunk of 4 bytes.",
      "Writer B calls write(2) for 5 bytes; this path takes no atomic_write_lock, and iterate_tty_write cuts a first chunk of 4 bytes.",
      "Writer A's n_tty_write passes 4 bytes to uart_write, which copies all 4 into the xmit ring; iterate_tty_write moves on to the next chunk of 2 bytes.",
      "Writer B's n_tty_write passes 4 bytes to uart_write, which has room for only 3; n_tty_write sleeps until the UART makes room.",
      "The UART sends 3 bytes (AAA) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "Writer A's n_tty_write passes 2 bytes to uart_write, which copies both into the xmit ring; write(2) returns 6.",
      "Writer B wakes in n_tty_write (the UART made room) and uart_write copies 1 more byte into the xmit ring; iterate_tty_write moves on to the next chunk of 1 byte.",
      "The UART sends 3 bytes (ABB) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "The UART sends 3 bytes (BAA) from the xmit tail in 3125.0 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "The UART sends 1 byte (B) from the xmit tail in 1041.7 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
      "Writer B's n_tty_write passes 1 byte to uart_write, which copies it into the xmit ring; write(2) returns 5.",
      "The UART sends 1 byte (B) from the xmit tail in 1041.7 µs (9600 baud, 10 bits a byte), and uart_port_tx_limited calls uart_write_wakeup.",
    ]);
    const end = last(states);
    expect(receivedText(end)).toBe('AAAABBBAABB');
    expect(checkAtomicity(end)).toEqual({
      ok: false,
      offset: 4,
      writer: 0,
      reason: "B's bytes land inside A's write: output byte 4 is B's byte 0, after A's byte 3 and before A's byte 4.",
    });
    expect(end.lockOwner).toBeNull();
  });

  it('pipe: B waits for pipe->mutex, then merges into A\'s last page', () => {
    const states = run(params('pipe', [W(6), W(2)]), ['A', 'B', 'A', 'A', 'B', 'B', 'r', 'r', 'r']);
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      "Writer A calls write(2) for 6 bytes; pipe_write takes pipe->mutex.",
      "Writer B calls write(2) for 2 bytes; pipe->mutex is held by A, so pipe_write sleeps in mutex_lock, which neither O_NONBLOCK nor a signal cuts short.",
      "Writer A's pipe_write fills a fresh pipe buffer with 4 bytes; a slot is still free, so it goes on with the 2 bytes left.",
      "Writer A's pipe_write fills a fresh pipe buffer with 2 bytes; write(2) returns 6 and pipe->mutex is released.",
      "Writer B wakes in pipe_write's mutex_lock and now holds pipe->mutex.",
      "pipe_write merges writer B's 2 bytes into the last pipe buffer, where they fit whole, so write(2) returns 2 and pipe->mutex is released.",
      "The reader's read(2) takes pipe->mutex and pipe_read copies 3 bytes (AAA) from the oldest pipe buffer.",
      "The reader's read(2) takes pipe->mutex and pipe_read copies 3 bytes (AAA) from the oldest pipe buffers, freeing the first.",
      "The reader's read(2) takes pipe->mutex and pipe_read copies 2 bytes (BB) from the oldest pipe buffer, freeing it.",
    ]);
    expect(receivedText(last(states))).toBe('AAAAAABB');
    // After the merge: two pages, A's 4 and A's 2 + B's 2.
    expect(states[6].pipe.bufs.map((b) => b.cells.map((c) => String.fromCharCode(65 + c.writer)).join(''))).toEqual(['AAAA', 'AABB']);
    // The reader consumed 3 of the first page: offset 3, not reusable for merging.
    expect(states[7].pipe.bufs[0]).toEqual({ cells: [{ writer: 0, index: 3 }], offset: 3 });
    expect(last(states).time_ns).toBe(0);
  });
});

describe('kernel variant: atomic_write_lock', () => {
  const p = params('kernel', [W(10), W(3)]);

  it('is held across chunks: B sleeps for the lock while A moves from chunk to chunk', () => {
    const states = run(p, ['A', 'B', 'A']);
    const s = last(states);
    expect(s.lockOwner).toBe(0);
    expect(s.lockWaiters).toEqual([1]);
    expect(s.writers[0]).toMatchObject({ phase: 'copying', written: 4, chunkLeft: 4 });
    expect(s.writers[1].phase).toBe('lock-wait');
    expect(isEnabled(s, { kind: 'run', writer: 1 })).toBe(false);
  });

  it('is held while A sleeps in n_tty_write for room', () => {
    // A: chunk 4 fits, chunk 4 gets 3 (ring holds 7) and sleeps.
    const s = last(run(p, ['A', 'B', 'A', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'room-wait', written: 7, chunkLeft: 1 });
    expect(s.lockOwner).toBe(0);
    expect(ringSpace(s)).toBe(0);
    expect(ttyModel.enabled(s)).toEqual([{ kind: 'uart' }]);
    // The UART makes room: A (not B) can run, and B stays asleep.
    const s2 = ttyModel.step(s, { kind: 'uart' });
    expect(ttyModel.enabled(s2)).toEqual([{ kind: 'run', writer: 0 }, { kind: 'uart' }]);
  });

  it('is released by tty_write_unlock when write(2) returns, and B takes it', () => {
    const states = run(p, ['A', 'B', 'A', 'A', 'u', 'A', 'A']);
    const s = last(states);
    expect(s.writers[0]).toMatchObject({ phase: 'done', result: 10, errno: null });
    expect(s.lockOwner).toBeNull();
    expect(s.lockWaiters).toEqual([1]);
    const s2 = ttyModel.step(s, { kind: 'run', writer: 1 });
    expect(s2.lockOwner).toBe(1);
    expect(s2.lockWaiters).toEqual([]);
    expect(s2.writers[1]).toMatchObject({ phase: 'copying', chunkLeft: 3 });
  });

  it('wakes only the first waiter', () => {
    const s = last(run(params('kernel', [W(2), W(2), W(2)]), ['A', 'C', 'B', 'A']));
    expect(s.lockOwner).toBeNull();
    expect(s.lockWaiters).toEqual([2, 1]);
    expect(isEnabled(s, { kind: 'run', writer: 2 })).toBe(true);
    expect(isEnabled(s, { kind: 'run', writer: 1 })).toBe(false);
  });
});

describe('partial writes and errors', () => {
  it('O_NONBLOCK on a busy atomic_write_lock: -EAGAIN at once', () => {
    const s = last(run(params('kernel', [W(6), W(5, true)]), ['A', 'B']));
    expect(s.writers[1]).toMatchObject({ phase: 'done', result: -EAGAIN, errno: 'EAGAIN', written: 0 });
    expect(s.event?.narration).toBe(
      'Writer B calls write(2) for 5 bytes with O_NONBLOCK; tty_write_lock finds atomic_write_lock held by A and returns -EAGAIN, so write(2) fails with EAGAIN.',
    );
    expect(s.lockOwner).toBe(0);
  });

  it('O_NONBLOCK with a full ring: iterate_tty_write retries until a call copies nothing, then returns the partial count', () => {
    const p = params('kernel', [W(5), W(6, true)]);
    // A leaves 2 free; B copies 2, retries, gets 3 more after the UART sends 3, then none.
    const states = run(p, ['A', 'A', 'A', 'B', 'B', 'u', 'B', 'B']);
    expect(states[5].writers[1]).toMatchObject({ phase: 'copying', written: 2, chunkLeft: 4 });
    expect(states[7].writers[1]).toMatchObject({ phase: 'copying', written: 5, chunkLeft: 1 });
    const s = last(states);
    expect(s.writers[1]).toMatchObject({ phase: 'done', result: 5, errno: null });
    expect(s.lockOwner).toBeNull();
    expect(s.event?.narration).toContain('write(2) returns 5 of 6 bytes (a partial write)');
  });

  it('O_NONBLOCK with a full ring and nothing copied: -EAGAIN', () => {
    const s = last(run(params('kernel', [W(7), W(3, true)]), ['A', 'A', 'A', 'B', 'B']));
    expect(s.writers[1]).toMatchObject({ phase: 'done', result: -EAGAIN, errno: 'EAGAIN' });
    expect(s.lockOwner).toBeNull();
  });

  it('a signal while asleep for the lock: EINTR, nothing written', () => {
    const states = run(params('kernel', [W(6), W(5, false, true)]), ['A', 'B', 'sB', 'B']);
    expect(isEnabled(states[3], { kind: 'run', writer: 1 })).toBe(true); // the signal wakes it
    const s = last(states);
    expect(s.writers[1]).toMatchObject({ phase: 'done', result: -EINTR, errno: 'EINTR', signalPending: false, signalUsed: true });
    expect(s.lockOwner).toBe(0);
    expect(s.lockWaiters).toEqual([]);
  });

  it('a signal before the first chunk: n_tty_write returns -ERESTARTSYS (EINTR)', () => {
    const s = last(run(params('kernel', [W(6, false, true)]), ['A', 'sA', 'A']));
    expect(s.writers[0]).toMatchObject({ result: -EINTR, errno: 'EINTR' });
    expect(s.event?.source?.fn).toBe('n_tty_write');
    expect(s.lockOwner).toBeNull();
  });

  it('a signal between chunks: iterate_tty_write returns the bytes written so far', () => {
    const s = last(run(params('kernel', [W(6, false, true)]), ['A', 'A', 'sA', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'done', result: 4, errno: null });
    expect(s.event?.source?.fn).toBe('iterate_tty_write');
    expect(s.event?.narration).toBe(
      "iterate_tty_write sees writer A's pending signal between chunks, so write(2) returns 4 of 6 bytes (a partial write) and tty_write_unlock releases atomic_write_lock.",
    );
  });

  it('a signal while asleep for room: n_tty_write gives up and write(2) returns the partial count', () => {
    const states = run(params('kernel', [W(10, false, true)]), ['A', 'A', 'A', 'sA']);
    expect(states[3].writers[0]).toMatchObject({ phase: 'room-wait', written: 7 });
    expect(isEnabled(states[4], { kind: 'run', writer: 0 })).toBe(true);
    const s = ttyModel.step(states[4], { kind: 'run', writer: 0 });
    expect(s.writers[0]).toMatchObject({ phase: 'done', result: 7 });
    expect(s.lockOwner).toBeNull();
  });

  it('a woken waiter with a signal pending takes a free lock first (trylock before the signal check)', () => {
    const states = run(params('kernel', [W(1), W(2, false, true)]), ['A', 'B', 'sB', 'A']);
    const s = ttyModel.step(last(states), { kind: 'run', writer: 1 });
    expect(s.lockOwner).toBe(1);
    expect(s.writers[1].phase).toBe('copying');
    const s2 = ttyModel.step(s, { kind: 'run', writer: 1 });
    expect(s2.writers[1]).toMatchObject({ phase: 'done', result: -EINTR });
  });

  it('signals are offered only inside write(2), once, to writers that can get one', () => {
    const p = params('kernel', [W(6, false, true), W(5)]);
    const s0 = ttyModel.initialState(p, 0);
    expect(isEnabled(s0, { kind: 'signal', writer: 0 })).toBe(false); // not yet in write(2)
    const s1 = ttyModel.step(s0, ch('A'));
    expect(isEnabled(s1, { kind: 'signal', writer: 0 })).toBe(true);
    const s2 = ttyModel.step(ttyModel.step(s1, ch('B')), ch('sA'));
    expect(isEnabled(s2, { kind: 'signal', writer: 0 })).toBe(false); // used
    expect(isEnabled(s2, { kind: 'signal', writer: 1 })).toBe(false); // B has no signal
  });
});

describe('pipe variant', () => {
  it('O_NONBLOCK still sleeps for pipe->mutex, and a signal does not wake it', () => {
    const s = last(run(params('pipe', [W(6), W(2, true, true)]), ['A', 'B', 'sB']));
    expect(s.writers[1]).toMatchObject({ phase: 'lock-wait', signalPending: true });
    expect(isEnabled(s, { kind: 'run', writer: 1 })).toBe(false);
  });

  it('drops pipe->mutex and sleeps when the ring is full, so the reader can run', () => {
    const s = last(run(params('pipe', [W(10), W(2)]), ['A', 'A', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'room-wait', written: 8 });
    expect(s.lockOwner).toBeNull();
    expect(ttyModel.enabled(s)).toEqual([{ kind: 'run', writer: 1 }, { kind: 'reader' }]);
  });

  it('the reader cannot run while a writer holds pipe->mutex', () => {
    const s = last(run(params('pipe', [W(6)]), ['A', 'A']));
    expect(s.pipe.bufs.length).toBe(1);
    expect(s.lockOwner).toBe(0);
    expect(isEnabled(s, { kind: 'reader' })).toBe(false);
  });

  it('O_NONBLOCK at most PIPE_BUF into a full pipe: -EAGAIN, nothing committed', () => {
    const s = last(run(params('pipe', [W(8), W(3, true)]), ['A', 'A', 'A', 'B', 'B']));
    expect(s.writers[1]).toMatchObject({ phase: 'done', result: -EAGAIN, errno: 'EAGAIN', written: 0 });
    expect(s.lockOwner).toBeNull();
  });

  it('O_NONBLOCK larger than PIPE_BUF: a partial write', () => {
    const s = last(run(params('pipe', [W(10, true)]), ['A', 'A', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'done', result: 8, errno: null });
  });

  it('merges only when the whole remainder fits in the last page', () => {
    // 1 + 3 bytes: B's 3 fit whole after A's 1, so they share one page.
    const s = last(run(params('pipe', [W(1), W(3)]), ['A', 'A', 'B', 'B']));
    expect(s.pipe.bufs.map((b) => b.cells.length)).toEqual([4]);
    // 2 + 3 bytes: B's 3 do not fit after A's 2: a fresh page.
    const t = last(run(params('pipe', [W(2), W(3)]), ['A', 'A', 'B', 'B']));
    expect(t.pipe.bufs.map((b) => b.cells.length)).toEqual([2, 3]);
    // 6 bytes after a 1-byte page: 6 mod 4 = 2 merge first, then a whole page.
    const u = last(run(params('pipe', [W(1), W(6)]), ['A', 'A', 'B', 'B', 'B']));
    expect(u.pipe.bufs.map((b) => b.cells.map((c) => `${String.fromCharCode(65 + c.writer)}${c.index}`).join(' '))).toEqual([
      'A0 B0 B1',
      'B2 B3 B4 B5',
    ]);
  });

  it('a signal is seen only when the pipe is full', () => {
    const p = params('pipe', [W(10, false, true)]);
    const s = last(run(p, ['A', 'sA', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'copying', written: 4, signalPending: true });
    const t = ttyModel.step(s, ch('A')); // fills the second page; now full: the signal wins
    expect(t.writers[0]).toMatchObject({ phase: 'done', result: 8 });
  });

  it('a writer woken for room that fills a buffer and has bytes left goes on holding pipe->mutex (it used to deadlock)', () => {
    // The Prove-it configuration of issue 11: one 16-byte write into two 4-byte pages,
    // the reader taking 2 bytes a step. fs/pipe.c pipe_write (6.12): after the wake-up it
    // takes pipe->mutex again and loops, copying page after page while a slot is free.
    const p = params('pipe', [W(16)], { pipeBuf: 4, pipeSlots: 2, drainBytes: 2 });
    const s = last(run(p, ['A', 'A', 'A', 'r', 'r', 'r', 'r', 'A']));
    expect(s.writers[0]).toMatchObject({ phase: 'copying', written: 12 });
    expect(s.lockOwner).toBe(0);
    expect(ttyModel.enabled(s)).toEqual([{ kind: 'run', writer: 0 }]);
    const t = ttyModel.step(s, ch('A')); // fills the second free page: full, 0 left -> returns
    expect(t.writers[0]).toMatchObject({ phase: 'done', result: 16 });
    expect(t.lockOwner).toBeNull();
  });

  it('every run ends with every write(2) returned: no schedule of small pipes gets stuck', () => {
    for (const writers of [[W(16)], [W(10), W(6)], [W(9, false, true), W(5)], [W(7), W(3, true), W(6, false, true)]]) {
      for (const pipeSlots of [1, 2]) {
        const p = params('pipe', writers, { pipeBuf: 2, pipeSlots, drainBytes: 1 });
        const seen = new Set<string>();
        const stack = [ttyModel.initialState(p, 0)];
        let finals = 0;
        while (stack.length) {
          const st = stack.pop()!;
          const k = canonicalKey(st);
          if (seen.has(k)) continue;
          seen.add(k);
          const cs = ttyModel.enabled(st);
          if (cs.length === 0) {
            finals++;
            expect(st.writers.map((w) => w.phase), JSON.stringify(p.writers)).toEqual(st.writers.map(() => 'done'));
            expect(st.pipe.bufs).toEqual([]);
          }
          for (const c of cs) stack.push(ttyModel.step(st, c));
        }
        expect(finals).toBeGreaterThan(0);
      }
    }
  }, SLOW_MS);

  it('writes of at most PIPE_BUF never interleave, in every schedule', () => {
    for (const writers of [
      [W(2), W(2), W(2)],
      [W(2), W(1), W(2)],
      [W(2, false, true), W(2, true), W(1, false, true)],
    ]) {
      const p = params('pipe', writers, { pipeBuf: 2, pipeSlots: 1, drainBytes: 1 });
      const finals = forEachFinal(p, (s) => {
        expect(checkAtomicity(s), outcome(s)).toEqual({ ok: true });
        // At most PIPE_BUF with O_NONBLOCK: all or nothing.
        s.writers.forEach((w, i) => {
          if (p.writers[i].nonblock) expect([p.writers[i].size, -EAGAIN]).toContain(w.result);
        });
      });
      expect(finals).toBeGreaterThan(100);
    }
  }, SLOW_MS);

  it('writes larger than PIPE_BUF interleave in some schedule', () => {
    const p = params('pipe', [W(5), W(3)], { pipeBuf: 2, pipeSlots: 2, drainBytes: 1 });
    let bad = 0;
    let good = 0;
    forEachFinal(p, (s) => (checkAtomicity(s).ok ? good++ : bad++));
    expect(bad).toBeGreaterThan(0);
    expect(good).toBeGreaterThan(0);
  }, SLOW_MS);
});

describe('time on the wire', () => {
  it('230400 baud with 10 bits a byte is 23040 bytes per second', () => {
    expect(wireTimeNs(23040, 230400)).toBe(1_000_000_000);
    expect(wireTimeNs(1, 230400)).toBe(43403); // 43402.78 ns, rounded
    expect(wireTimeNs(2, 230400)).toBe(86806);
    expect(wireTimeNs(0, 230400)).toBe(0);
  });

  it('advances only when the UART sends, by whole nanoseconds, without drift', () => {
    const p = params('kernel', [W(7)], { baud: 230400, drainBytes: 1 });
    const { states } = runToEnd(ttyModel, p, 0, (cs) => cs.find((c) => c.kind === 'run') ?? cs[0]);
    const end = last(states);
    expect(end.received.length).toBe(7);
    expect(end.time_ns).toBe(wireTimeNs(7, 230400));
    for (const s of states) {
      expect(Number.isInteger(s.time_ns)).toBe(true);
      if (s.lastChoice?.kind === 'run') expect(s.time_ns).toBe(states[s.stepIndex - 1].time_ns);
    }
  });
});

describe('circ_buf arithmetic', () => {
  it('CIRC_SPACE_TO_END, hand-worked (size 8)', () => {
    expect(circSpaceToEnd(0, 0, 8)).toBe(7); // empty: slots 0..6, slot 7 stays empty
    expect(circSpaceToEnd(5, 5, 8)).toBe(3); // empty: slots 5, 6, 7 up to the end
    expect(circSpaceToEnd(6, 2, 8)).toBe(2); // slots 6, 7
    expect(circSpaceToEnd(2, 6, 8)).toBe(3); // slots 2, 3, 4; 5 stays empty
    expect(circSpaceToEnd(6, 0, 8)).toBe(1); // slot 6; 7 stays empty
    expect(circSpaceToEnd(3, 0, 8)).toBe(4); // slots 3..6
    expect(circSpaceToEnd(7, 3, 8)).toBe(1); // slot 7
    expect(circSpaceToEnd(4, 5, 8)).toBe(0); // full
    expect(circSpaceToEnd(7, 0, 8)).toBe(0); // full
    expect(circSpaceToEnd(0, 1, 8)).toBe(0); // full
    expect(circSpaceToEnd(4000, 100, 4096)).toBe(96);
    expect(circSpaceToEnd(100, 4000, 4096)).toBe(3899);
  });

  it('CIRC_SPACE_TO_END agrees with counting slots, and CIRC_SPACE / CIRC_CNT add up', () => {
    for (const size of [2, 4, 8, 16]) {
      for (let head = 0; head < size; head++) {
        for (let tail = 0; tail < size; tail++) {
          const cnt = circCnt(head, tail, size);
          expect(cnt + circSpace(head, tail, size)).toBe(size - 1);
          // Walk forward from head while the slot after stays short of tail, not wrapping.
          let n = 0;
          for (let i = head; i < size && (i + 1) % size !== tail; i++) n++;
          expect(circSpaceToEnd(head, tail, size), `head ${head} tail ${tail} size ${size}`).toBe(n);
        }
      }
    }
  });

  it('uart_write wraps around the end of the ring and keeps one slot empty', () => {
    const p = params('kernel', [W(5), W(6)], { xmitSize: 8, drainBytes: 5, chunkSize: 8 });
    const s = last(run(p, ['A', 'A', 'u', 'B', 'B']));
    // A filled 0..4 and was sent; B copies slots 5, 6, 7, 0, 1, 2 (6 of 7 free).
    expect(s.xmit.tail).toBe(5);
    expect(s.xmit.head).toBe(3);
    expect(outputOrder(s).map((c) => c.writer)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(s.xmit.buf[2]).toEqual({ writer: 1, index: 5 });
    expect(ringSpace(s)).toBe(1);
  });
});

describe('model contract', () => {
  it('step never mutates its input (deep-frozen states)', () => {
    for (const variant of ['kernel', 'no-lock', 'pipe'] as const) {
      const p = params(variant, [W(6, false, true), W(5, true, true)]);
      const pick = randomSchedulerPick(7);
      let s = deepFreeze(ttyModel.initialState(p, 0));
      for (let i = 0; i < 200; i++) {
        const choices = ttyModel.enabled(s);
        if (choices.length === 0) break;
        const before = JSON.stringify(s);
        for (const c of choices) ttyModel.step(s, c); // must not throw on a frozen state
        const next = ttyModel.step(s, pick(choices, s));
        expect(JSON.stringify(s)).toBe(before);
        s = deepFreeze(next);
      }
      expect(ttyModel.enabled(s)).toEqual([]);
    }
  });

  it('does not keep references to the caller\'s params or choices', () => {
    const p = params('kernel', [W(3)]);
    const s = ttyModel.initialState(p, 0);
    p.writers[0].size = 99;
    expect(s.params.writers[0].size).toBe(3);
    const c: TtyChoice = { kind: 'run', writer: 0 };
    const t = ttyModel.step(s, c);
    (c as { writer: number }).writer = 5;
    expect(t.lastChoice).toEqual({ kind: 'run', writer: 0 });
  });

  it('states are plain JSON', () => {
    const states = replay(ttyModel, TTY_PRESETS['no-lock'].params, 0, TTY_PRESETS['no-lock'].schedule ?? []);
    for (const s of states) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('is deterministic: same params and schedule give identical states, whatever the seed', () => {
    const p = params('kernel', [W(6, false, true), W(5, true), W(3)]);
    const a = runToEnd(ttyModel, p, 1, randomSchedulerPick(42));
    const b = runToEnd(ttyModel, p, 2, randomSchedulerPick(42));
    expect(JSON.stringify(b.states)).toBe(JSON.stringify(a.states));
    expect(ttyModel.initialState(p, 1)).toEqual(ttyModel.initialState(p, 999));
    const c = runToEnd(ttyModel, p, 1, randomSchedulerPick(43));
    expect(JSON.stringify(c.schedule)).not.toBe(JSON.stringify(a.schedule));
  });

  it('rejects choices that are not enabled', () => {
    const s = ttyModel.initialState(params('kernel', [W(3), W(2)]), 0);
    expect(() => ttyModel.step(s, { kind: 'uart' })).toThrow(Error);
    expect(() => ttyModel.step(s, { kind: 'reader' })).toThrow(/not enabled/);
    expect(() => ttyModel.step(s, { kind: 'run', writer: 2 })).toThrow(/not enabled/);
    expect(() => ttyModel.step(s, { kind: 'signal', writer: 0 })).toThrow(/not enabled/);
    const t = last(run(params('kernel', [W(3), W(2)]), ['A', 'B']));
    expect(() => ttyModel.step(t, { kind: 'run', writer: 1 })).toThrow(/not enabled/); // asleep for the lock
    const done = last(run(params('kernel', [W(1)]), ['A', 'A']));
    expect(() => ttyModel.step(done, { kind: 'run', writer: 0 })).toThrow(/not enabled/);
  });

  it('initialState rejects bad params with a RangeError naming the field', () => {
    const good = params('kernel', [W(3)]);
    const bad: [Partial<TtyParams> | Record<string, unknown>, RegExp][] = [
      [{ variant: 'fifo' as Variant }, /variant/],
      [{ writers: [] }, /writers/],
      [{ writers: [W(1), W(1), W(1), W(1), W(1)] }, /writers/],
      [{ writers: [W(0)] }, /writers\[0\]\.size/],
      [{ writers: [W(2), W(1.5)] }, /writers\[1\]\.size/],
      [{ writers: [{ size: 2, nonblock: 'yes', signal: false }] }, /nonblock/],
      [{ chunkSize: 0 }, /chunkSize/],
      [{ xmitSize: 12 }, /xmitSize.*power of two/],
      [{ xmitSize: 1 }, /xmitSize/],
      [{ pipeBuf: -4 }, /pipeBuf/],
      [{ pipeSlots: 0 }, /pipeSlots/],
      [{ baud: 0 }, /baud/],
      [{ baud: Number.NaN }, /baud/],
      [{ drainBytes: 0 }, /drainBytes/],
    ];
    for (const [over, msg] of bad) {
      const p = { ...good, ...over } as TtyParams;
      expect(() => ttyModel.initialState(p, 0), JSON.stringify(over)).toThrow(RangeError);
      expect(() => ttyModel.initialState(p, 0), JSON.stringify(over)).toThrow(msg);
    }
    expect(() => ttyModel.initialState(good, 0)).not.toThrow();
  });

  it('labels and compares choices', () => {
    const s = ttyModel.initialState(params('kernel', [W(3), W(2)]), 0);
    expect(ttyModel.describeChoice(s, { kind: 'run', writer: 0 })).toBe('run writer A');
    expect(ttyModel.describeChoice(s, { kind: 'signal', writer: 1 })).toBe('signal writer B');
    expect(ttyModel.describeChoice(s, { kind: 'uart' })).toBe('UART sends');
    expect(ttyModel.describeChoice(s, { kind: 'reader' })).toBe('reader reads');
    expect(ttyModel.sameChoice({ kind: 'run', writer: 1 }, { kind: 'run', writer: 1 })).toBe(true);
    expect(ttyModel.sameChoice({ kind: 'run', writer: 1 }, { kind: 'signal', writer: 1 })).toBe(false);
    expect(ttyModel.sameChoice({ kind: 'run', writer: 1 }, { kind: 'run', writer: 0 })).toBe(false);
    expect(ttyModel.sameChoice({ kind: 'uart' }, { kind: 'uart' })).toBe(true);
    expect(ttyModel.id).toBe('tty');
    expect(ttyModel.event(s)).toBeNull();
  });

  it('offers choices in a fixed order: runs, signals, then the UART or reader', () => {
    const s = last(run(params('kernel', [W(6, false, true), W(5, false, true)]), ['A', 'A']));
    expect(ttyModel.enabled(s)).toEqual([
      { kind: 'run', writer: 0 },
      { kind: 'run', writer: 1 },
      { kind: 'signal', writer: 0 },
      { kind: 'uart' },
    ]);
  });
});

describe('exhaustive check of small configurations', () => {
  const tiny = { chunkSize: 2, xmitSize: 4, drainBytes: 1, baud: 9600, pipeBuf: 2, pipeSlots: 2 };

  it('kernel: two blocking writers never interleave, in every schedule', () => {
    const p: TtyParams = { ...tiny, variant: 'kernel', writers: [W(3), W(3)] };
    const outcomes = new Set<string>();
    const finals = forEachFinal(p, (s) => {
      expect(checkAtomicity(s), outcome(s)).toEqual({ ok: true });
      expect(s.writers.every((w) => w.phase === 'done' && w.result === 3)).toBe(true);
      outcomes.add(outcome(s));
    });
    expect(finals).toBe(808);
    expect([...outcomes].sort()).toEqual(['AAABBB 3,3', 'BBBAAA 3,3']);
  }, SLOW_MS);

  it('kernel: with signals and O_NONBLOCK, writes may be partial but never interleave', () => {
    for (const writers of [
      [W(3, false, true), W(3, true)],
      [W(3, false, true), W(3, false, true)],
      [W(3), W(2), W(2)],
    ]) {
      const p: TtyParams = { ...tiny, variant: 'kernel', writers };
      let partial = 0;
      forEachFinal(p, (s) => {
        expect(checkAtomicity(s), outcome(s)).toEqual({ ok: true });
        expect(s.lockOwner).toBeNull();
        s.writers.forEach((w, i) => {
          expect(w.phase).toBe('done');
          if (w.result !== null && w.result > 0 && w.result < writers[i].size) partial++;
        });
      });
      if (writers.some((w) => w.signal || w.nonblock)) expect(partial).toBeGreaterThan(0);
    }
  }, SLOW_MS);

  it('no-lock: the same writers interleave in some schedule', () => {
    const p: TtyParams = { ...tiny, variant: 'no-lock', writers: [W(3), W(3)] };
    let bad = 0;
    const finals = forEachFinal(p, (s) => {
      if (!checkAtomicity(s).ok) bad++;
    });
    expect(bad).toBeGreaterThan(0);
    expect(bad).toBeLessThan(finals);
  }, SLOW_MS);

  it('canonicalKey: a visited set over it reaches exactly the outcomes of the full search', () => {
    for (const [variant, writers] of [
      ['kernel', [W(3, false, true), W(3, true)]],
      ['no-lock', [W(3), W(3)]],
      ['pipe', [W(5), W(3, true, true)]],
    ] as const) {
      const p: TtyParams = { ...tiny, variant, writers: writers.map((w) => ({ ...w })) };
      const all = new Set<string>();
      forEachFinal(p, (s) => all.add(`${outcome(s)} ${checkAtomicity(s).ok}`));
      const seen = new Set<string>();
      const reduced = new Set<string>();
      const visit = (s: TtyState): void => {
        const k = canonicalKey(s);
        if (seen.has(k)) return;
        seen.add(k);
        const cs = ttyModel.enabled(s);
        if (cs.length === 0) reduced.add(`${outcome(s)} ${checkAtomicity(s).ok}`);
        for (const c of cs) visit(ttyModel.step(s, c));
      };
      visit(ttyModel.initialState(p, 0));
      expect([...reduced].sort()).toEqual([...all].sort());
      expect(seen.size).toBeLessThan(1000);
    }
  }, SLOW_MS);
});

describe('analysis helpers', () => {
  it('outputOrder is received, then the xmit ring from tail to head', () => {
    const s = last(run(params('no-lock', [W(6), W(5)]), ['A', 'B', 'A', 'B', 'u']));
    expect(receivedText(s)).toBe('AAA');
    expect(outputOrder(s).map((c) => String.fromCharCode(65 + c.writer)).join('')).toBe('AAAABBB');
    expect(outputOrder(s).slice(0, 4).map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it('canonicalKey ignores stepIndex, event, lastChoice and time, and tells different states apart', () => {
    const p = params('kernel', [W(2), W(2)]);
    const a = last(run(p, ['A', 'B']));
    const b = last(run(p, ['B', 'A']));
    expect(canonicalKey(a)).not.toBe(canonicalKey(b));
    const c = { ...a, stepIndex: 99, time_ns: 5, event: null, lastChoice: null };
    expect(canonicalKey(c)).toBe(canonicalKey(a));
    // Two schedules that reach the same state: the UART sends before or after B calls write(2).
    const d = last(run(p, ['A', 'A', 'u', 'B']));
    const e = last(run(p, ['A', 'A', 'B', 'u']));
    expect(canonicalKey(d)).toBe(canonicalKey(e));
  });

  it('randomSchedulerPick is reproducible per seed and always picks an offered choice', () => {
    const choices: TtyChoice[] = [{ kind: 'run', writer: 0 }, { kind: 'run', writer: 1 }, { kind: 'uart' }];
    const a = randomSchedulerPick(5);
    const b = randomSchedulerPick(5);
    const seqA = Array.from({ length: 20 }, () => a(choices));
    const seqB = Array.from({ length: 20 }, () => b(choices));
    expect(seqB).toEqual(seqA);
    expect(new Set(seqA).size).toBeGreaterThan(1);
    expect(() => a([])).toThrow();
  });
});

describe('presets', () => {
  it('has the presets the lesson uses', () => {
    expect(Object.keys(TTY_PRESETS)).toEqual(expect.arrayContaining(['kernel-blocking', 'nonblock', 'signal', 'no-lock', 'pipe-small', 'pipe-large']));
    expect(TTY_PRESETS['kernel-blocking'].params).toEqual({
      variant: 'kernel',
      writers: [W(12), W(10)],
      xmitSize: 16,
      chunkSize: 8,
      drainBytes: 2,
      baud: 230400,
      pipeBuf: 4,
      pipeSlots: 4,
    });
  });

  const expected: Record<string, { text: string; results: number[]; atomic: boolean }> = {
    'kernel-blocking': { text: 'BBBBBBBBBBAAAAAAAAAAAA', results: [12, 10], atomic: true },
    nonblock: { text: 'AAAAAAAAAAAABBBBB', results: [12, 5], atomic: true },
    signal: { text: 'BBBBBBBBBBAAAAA', results: [5, 10], atomic: true },
    'no-lock': { text: 'AAAAAAAABBBBBBBAAAABBB', results: [12, 10], atomic: false },
    'pipe-small': { text: 'AAAABBBDCC', results: [4, 3, 2, 1], atomic: true },
    'pipe-large': { text: 'AAAAAAAABBBBAABB', results: [10, 6], atomic: false },
  };

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: the schedule replays to the end with the outcome described`, () => {
      const preset = TTY_PRESETS[name];
      expect(preset.schedule).toBeDefined();
      const states = replay(ttyModel, preset.params, 0, preset.schedule ?? []);
      const end = last(states);
      expect(ttyModel.enabled(end)).toEqual([]);
      expect(receivedText(end)).toBe(want.text);
      expect(end.writers.map((w) => w.result)).toEqual(want.results);
      expect(checkAtomicity(end).ok).toBe(want.atomic);
      for (const s of states.slice(1)) {
        expect(s.event?.narration).toMatch(/^[A-Za-z].*\.$/);
      }
    });
  }

  it('every preset also runs to the end under a random scheduler', () => {
    for (const preset of Object.values(TTY_PRESETS)) {
      for (const seed of [1, 2, 3]) {
        const { states } = runToEnd(ttyModel, preset.params, seed, randomSchedulerPick(seed), 10_000);
        const end = last(states);
        expect(ttyModel.enabled(end)).toEqual([]);
        expect(end.writers.every((w) => w.phase === 'done')).toBe(true);
        if (preset.params.variant === 'kernel') expect(checkAtomicity(end).ok).toBe(true);
      }
    }
  }, SLOW_MS);
});
