/**
 * The swimlane diagram's layout, computed from a list of tty states with no DOM: one lane per
 * writer (bars where it holds the lock, sleeps or copies; markers for signals and returns)
 * and one lane for the far end (the UART, or the pipe's reader) showing the bytes it sent.
 *
 * Column `i` is state `i` of the timeline: it shows the situation after step `i`.
 * `views/swimlane.ts` only draws what this returns.
 */
import type { TtyState } from '../../../sims/tty/index.ts';
import { drainName, letter, resultKind, resultText } from './format.ts';

/**
 * What a writer is doing in a column:
 * - `holds`: holds the lock and is copying;
 * - `unlocked`: inside write(), copying, without the lock (the `no-lock` variant);
 * - `lock-wait`: asleep waiting for the lock;
 * - `room-wait`: asleep waiting for room (in the tty case still holding the lock).
 */
export type SegmentKind = 'holds' | 'unlocked' | 'lock-wait' | 'room-wait';

export interface Segment {
  kind: SegmentKind;
  /** First column (state index), inclusive. */
  from: number;
  /** Last column + 1, exclusive. */
  to: number;
  /** The writer holds the lock through this segment. */
  holdsLock: boolean;
}

export interface Marker {
  kind: 'signal' | 'return';
  /** The column (state index) the event happened in. */
  step: number;
  /** Short label, e.g. `signal` or `write() = 7`. */
  label: string;
  /** For returns: how the write ended. */
  result?: 'full' | 'partial' | 'error';
}

/** Bytes copied by a writer (or sent by the UART) in one step. */
export interface Transfer {
  step: number;
  /** The bytes, grouped by writer in order. */
  parts: { writer: number; count: number }[];
  total: number;
}

export interface Lane {
  key: string;
  label: string;
  /** Writer index, or null for the UART/reader lane. */
  writer: number | null;
  segments: Segment[];
  markers: Marker[];
  /** Writer lanes: bytes copied into the ring/pipe. UART lane: bytes sent to the far end. */
  transfers: Transfer[];
}

export interface SwimlaneLayout {
  /** Number of columns (states). */
  columns: number;
  lanes: Lane[];
}

function kindAt(state: TtyState, w: number): { kind: SegmentKind; holdsLock: boolean } | null {
  const ws = state.writers[w];
  const holds = state.lockOwner === w;
  switch (ws.phase) {
    case 'ready':
    case 'done':
      return null;
    case 'lock-wait':
      return { kind: 'lock-wait', holdsLock: false };
    case 'copying':
      return { kind: holds ? 'holds' : 'unlocked', holdsLock: holds };
    case 'room-wait':
      return { kind: 'room-wait', holdsLock: holds };
  }
}

/** Computes the swimlane layout of `states` (the whole timeline, initial state first). */
export function swimlaneLayout(states: readonly TtyState[]): SwimlaneLayout {
  if (states.length === 0) return { columns: 0, lanes: [] };
  const first = states[0];
  const lanes: Lane[] = first.writers.map((_, w) => ({
    key: `w${w}`,
    label: `writer ${letter(w)}`,
    writer: w,
    segments: [],
    markers: [],
    transfers: [],
  }));
  const drain: Lane = {
    key: 'drain',
    label: drainName(first),
    writer: null,
    segments: [],
    markers: [],
    transfers: [],
  };

  states.forEach((s, i) => {
    const prev = i > 0 ? states[i - 1] : null;
    s.writers.forEach((ws, w) => {
      const lane = lanes[w];
      const k = kindAt(s, w);
      if (k) {
        const last = lane.segments[lane.segments.length - 1];
        if (last && last.to === i && last.kind === k.kind && last.holdsLock === k.holdsLock) last.to = i + 1;
        else lane.segments.push({ kind: k.kind, holdsLock: k.holdsLock, from: i, to: i + 1 });
      }
      if (s.lastChoice && s.lastChoice.kind === 'signal' && s.lastChoice.writer === w) {
        lane.markers.push({ kind: 'signal', step: i, label: 'signal' });
      }
      if (ws.phase === 'done' && (!prev || prev.writers[w].phase !== 'done')) {
        lane.markers.push({
          kind: 'return',
          step: i,
          label: resultText(ws) ?? 'returned',
          result: resultKind(ws, s.params.writers[w].size) ?? undefined,
        });
      }
      const copied = prev ? ws.written - prev.writers[w].written : 0;
      if (copied > 0) lane.transfers.push({ step: i, parts: [{ writer: w, count: copied }], total: copied });
    });
    if (prev && s.received.length > prev.received.length) {
      const parts: { writer: number; count: number }[] = [];
      for (let j = prev.received.length; j < s.received.length; j++) {
        const wr = s.received[j].writer;
        const last = parts[parts.length - 1];
        if (last && last.writer === wr) last.count++;
        else parts.push({ writer: wr, count: 1 });
      }
      drain.transfers.push({ step: i, parts, total: s.received.length - prev.received.length });
    }
  });
  return { columns: states.length, lanes: [...lanes, drain] };
}
