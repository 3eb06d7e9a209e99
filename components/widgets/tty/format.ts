/**
 * Words for the tty model's state: writer letters, phases, write(2) results, kernel source
 * chips. Pure functions, no DOM: the server-rendered HTML, the custom element and the d3
 * views all say the same thing in the same words.
 */
import type { Cell, TtyState, WriterPhase, WriterState } from '../../../sims/tty/index.ts';
import { seriesColor } from '../../scene/palette.ts';

/** Writer `i`'s letter: 'A' + i (the byte it writes). */
export function letter(i: number): string {
  return String.fromCharCode(65 + i);
}

/** The CSS colour of writer `i`: the series palette's (`--w0..--w3`, with fallbacks). */
export function writerColor(i: number): string {
  return seriesColor(i);
}

/** The name of the lock this variant uses. */
export function lockName(state: TtyState): string {
  return state.params.variant === 'pipe' ? 'pipe->mutex' : 'atomic_write_lock';
}

/** The far end's name: the UART for ttys, the reading process for the pipe. */
export function drainName(state: TtyState): string {
  return state.params.variant === 'pipe' ? 'reader' : 'UART';
}

/** A writer's phase in plain words. */
export function phaseWords(state: TtyState, w: number): string {
  const ws = state.writers[w];
  const phase: WriterPhase = ws.phase;
  const pipe = state.params.variant === 'pipe';
  switch (phase) {
    case 'ready':
      return 'not yet in write()';
    case 'lock-wait':
      return `asleep, waiting for ${lockName(state)}`;
    case 'copying':
      return state.lockOwner === w ? `holds ${lockName(state)}, copying` : 'copying (no lock held)';
    case 'room-wait':
      if (pipe) return 'asleep, waiting for a free pipe buffer (mutex released)';
      return state.lockOwner === w ? `asleep, waiting for room in xmit (still holds ${lockName(state)})` : 'asleep, waiting for room in xmit';
    case 'done':
      return 'returned from write()';
  }
}

/** `write() = 12`, `write() = -1 EAGAIN`; null while the write is still in progress. */
export function resultText(ws: WriterState): string | null {
  if (ws.result === null) return null;
  if (ws.result < 0) return `write() = -1 ${ws.errno ?? 'error'}`;
  return `write() = ${ws.result}`;
}

/** How a finished write ended: the whole buffer, a partial count, or an error. */
export function resultKind(ws: WriterState, size: number): 'full' | 'partial' | 'error' | null {
  if (ws.result === null) return null;
  if (ws.result < 0) return 'error';
  return ws.result < size ? 'partial' : 'full';
}

/** The received bytes as letters. */
export function receivedLetters(cells: readonly Cell[]): string {
  let s = '';
  for (const c of cells) s += letter(c.writer);
  return s;
}

/** Consecutive runs of bytes from the same writer, in order. */
export function runsOf(cells: readonly Cell[]): { writer: number; count: number; start: number }[] {
  const runs: { writer: number; count: number; start: number }[] = [];
  cells.forEach((c, i) => {
    const last = runs[runs.length - 1];
    if (last && last.writer === c.writer) last.count++;
    else runs.push({ writer: c.writer, count: 1, start: i });
  });
  return runs;
}

/** `A×5, B×7, A×3`: the received bytes in words, for screen readers and table cells. */
export function runsText(cells: readonly Cell[]): string {
  if (cells.length === 0) return 'nothing yet';
  return runsOf(cells)
    .map((r) => `${letter(r.writer)}×${r.count}`)
    .join(', ');
}

/** The narration of the state, or the sentence for the initial state. */
export function narrationOf(state: TtyState): string {
  if (state.event) return state.event.narration;
  const n = state.writers.length;
  const who = state.writers.map((_, i) => letter(i)).join(n === 2 ? ' and ' : ', ');
  const dest = state.params.variant === 'pipe' ? 'the same pipe' : 'the same serial tty';
  return `Start: ${n === 1 ? 'writer' : 'writers'} ${who} ${n === 1 ? 'is' : 'are each'} about to call write(2) on ${dest}.`;
}

/** Bytes currently held in the xmit ring. */
export function ringCount(state: TtyState): number {
  const size = state.params.xmitSize;
  return (state.xmit.head - state.xmit.tail + size) % size;
}

/** Bytes currently held in the pipe. */
export function pipeCount(state: TtyState): number {
  return state.pipe.bufs.reduce((n, b) => n + b.cells.length, 0);
}

/** Simulated time as a short string: `0 µs`, `434 µs`, `1.2 ms`. */
export function timeText(ns: number): string {
  if (ns < 1_000_000) return `${Math.round(ns / 1000)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

/** The buffer diagram's caption: the pipe's pages or the xmit ring. */
export function bufferTitle(variant: TtyState['params']['variant']): string {
  return variant === 'pipe' ? 'The pipe’s buffers (pages)' : 'The xmit ring buffer';
}

/** Who receives the bytes: the terminal's heading. */
export function farEndName(variant: TtyState['params']['variant']): string {
  return variant === 'pipe' ? 'Reader of the pipe' : 'Far end of the serial line';
}
