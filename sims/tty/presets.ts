/**
 * Ready-made configurations of the tty model (`./model.ts`) for the lesson and the player.
 *
 * Sizes are scaled down so every byte can be drawn: a 16-byte xmit ring (it holds 15,
 * circ_buf keeps one slot empty) instead of PAGE_SIZE, 8-byte chunks instead of 2048,
 * 4-byte pipe pages and PIPE_BUF instead of 4096. The logic is the same as at full size.
 *
 * A preset with a `schedule` replays to the outcome its description names (checked by
 * `model.test.ts`); without one the player's scheduler (or the learner) picks every step.
 */
import type { TtyChoice, TtyParams, WriterSpec } from './types.ts';

/** A preset: what the player shows in its menu, the parameters, and optionally a schedule. */
export interface TtyPreset {
  /** Short title for a menu or heading. */
  title: string;
  /** One or two plain sentences: what the preset shows and how its schedule ends. */
  description: string;
  params: TtyParams;
  /** A fixed run from the initial state to the end (every writer done, all drained). */
  schedule?: TtyChoice[];
}

const blocking = (size: number): WriterSpec => ({ size, nonblock: false, signal: false });

/** The lesson's standard scaled-down system. */
const BASE: Omit<TtyParams, 'variant' | 'writers'> = {
  chunkSize: 8,
  xmitSize: 16,
  drainBytes: 2,
  baud: 230400,
  pipeBuf: 4,
  pipeSlots: 4,
};

/**
 * Compact schedule notation, for readability here only: 'A'..'D' run that writer, 'sA'..
 * signal it, 'u' the UART sends, 'r' the reader reads.
 */
function sched(...codes: string[]): TtyChoice[] {
  return codes.map((c): TtyChoice => {
    if (c === 'u') return { kind: 'uart' };
    if (c === 'r') return { kind: 'reader' };
    if (c.length === 2 && c[0] === 's') return { kind: 'signal', writer: c.charCodeAt(1) - 65 };
    if (c.length === 1 && c >= 'A' && c <= 'D') return { kind: 'run', writer: c.charCodeAt(0) - 65 };
    throw new Error(`presets: bad schedule code ${JSON.stringify(c)}`);
  });
}

const u8 = ['u', 'u', 'u', 'u', 'u', 'u', 'u', 'u'];

export const TTY_PRESETS: Record<string, TtyPreset> = {
  'kernel-blocking': {
    title: 'Two blocking writers on a serial tty',
    description:
      'A writes 12 bytes and B writes 10 to the same tty. B takes atomic_write_lock first, so A sleeps for the lock; ' +
      'then A sleeps in n_tty_write waiting for room while still holding it. The wire shows B×10 then A×12.',
    params: { variant: 'kernel', writers: [blocking(12), blocking(10)], ...BASE },
    schedule: sched('B', 'B', 'A', 'B', 'A', 'A', ...u8, 'A', 'u', 'u', 'A', 'u', 'u'),
  },
  nonblock: {
    title: 'O_NONBLOCK: a partial write',
    description:
      'A (blocking) writes 12 bytes; B (O_NONBLOCK) writes 10 into the 3 bytes left. uart_write takes 3, then 2 more after ' +
      'the UART sends, then none: write(2) returns 5 of 10. Had B called while A held the lock, it would have got EAGAIN.',
    params: { variant: 'kernel', writers: [blocking(12), { size: 10, nonblock: true, signal: false }], ...BASE },
    schedule: sched('A', 'A', 'A', 'B', 'B', 'u', 'B', 'B', ...u8),
  },
  signal: {
    title: 'A signal: a partial write',
    description:
      'B writes 10 bytes first; A then fits only 5 of its 12 and sleeps in n_tty_write holding atomic_write_lock. ' +
      'A signal wakes it: write(2) returns 5 of 12. The bytes still do not interleave.',
    params: { variant: 'kernel', writers: [{ size: 12, nonblock: false, signal: true }, blocking(10)], ...BASE },
    schedule: sched('B', 'B', 'B', 'A', 'A', 'sA', 'A', ...u8),
  },
  'no-lock': {
    title: 'Without atomic_write_lock',
    description:
      'The same two writers on a path that skips atomic_write_lock. Each uart_write call is still atomic under ' +
      'port->lock, but B copies its chunk while A is between chunks: the wire shows A×8, B×7, A×4, B×3.',
    params: { variant: 'no-lock', writers: [blocking(12), blocking(10)], ...BASE },
    schedule: sched('A', 'B', 'A', 'B', 'u', 'A', ...u8, 'A', 'u', 'B', 'u', 'B', 'u'),
  },
  'pipe-small': {
    title: 'Pipe: writes of at most PIPE_BUF',
    description:
      'Four writes of 4, 3, 2 and 1 bytes into a two-page pipe (PIPE_BUF = 4). C does not fit after B and the pipe is full, ' +
      'so it sleeps having committed nothing; D merges into B\'s page. Every write lands whole: AAAABBBDCC.',
    params: { variant: 'pipe', writers: [blocking(4), blocking(3), blocking(2), blocking(1)], ...BASE, pipeSlots: 2 },
    schedule: sched('A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'r', 'r', 'C', 'r', 'r', 'r'),
  },
  'pipe-large': {
    title: 'Pipe: writes larger than PIPE_BUF',
    description:
      'A writes 10 bytes and B 6 into a two-page pipe (PIPE_BUF = 4). A fills both pages and sleeps without the mutex; ' +
      'B takes the page the reader frees. The reader gets AAAAAAAABBBBAABB: large pipe writes can interleave.',
    params: { variant: 'pipe', writers: [blocking(10), blocking(6)], ...BASE, pipeSlots: 2 },
    schedule: sched('A', 'A', 'A', 'r', 'r', 'B', 'B', 'r', 'r', 'r', 'r', 'A', 'r', 'B', 'r'),
  },
};
