import { describe, expect, it } from 'vitest';
import { runToEnd } from '../core/model.ts';
import { ttyModel } from './model.ts';
import { endOfRunText, stuckWriters, ttyStuck, wholeWrites } from './properties.ts';
import type { TtyParams, TtyState } from './types.ts';

const P = (variant: TtyParams['variant'], sizes: number[]): TtyParams => ({
  variant,
  writers: sizes.map((size) => ({ size, nonblock: false, signal: false })),
  chunkSize: 4,
  xmitSize: 8,
  pipeBuf: 4,
  pipeSlots: 2,
  baud: 230400,
  drainBytes: 2,
});

/** The state the pipe model used to reach (issue 11): A owns pipe->mutex asleep for room. */
function stuckPipe(): TtyState {
  const s = ttyModel.initialState(P('pipe', [16, 3]), 1);
  return {
    ...s,
    lockOwner: 0,
    lockWaiters: [1],
    writers: [
      { ...s.writers[0], phase: 'room-wait', written: 12 },
      { ...s.writers[1], phase: 'lock-wait' },
    ],
  };
}

describe('where a run ends', () => {
  it('a finished run: every writer returned, said for a tty and for a pipe', () => {
    for (const variant of ['kernel', 'pipe'] as const) {
      const { states } = runToEnd(ttyModel, P(variant, [6, 5]), 1);
      const end = states[states.length - 1];
      expect(ttyModel.enabled(end)).toEqual([]);
      expect(ttyStuck(end)).toBeNull();
      expect(stuckWriters(end)).toEqual([]);
      expect(endOfRunText(end)).toBe(
        variant === 'pipe'
          ? 'Nothing can run: every writer has returned and the reader has read every byte.'
          : 'Nothing can run: every writer has returned and the line is idle.',
      );
    }
  });

  it('a stuck run: says so and names every blocked writer and what it waits for', () => {
    const s = stuckPipe();
    expect(ttyModel.enabled(s)).toEqual([]);
    expect(endOfRunText(s)).toBe(
      'Deadlock: nothing can run, but writers A and B have not returned from write(): A sleeps in pipe_write waiting for a free pipe buffer while holding pipe->mutex; B sleeps waiting for pipe->mutex, which writer A holds.',
    );
    expect(endOfRunText(s)).not.toMatch(/every writer has returned/);
    expect(stuckWriters(s).map((w) => w.writer)).toEqual([0, 1]);
  });

  it('"every write() is whole" fails a write that never returned', () => {
    expect(wholeWrites.check(stuckPipe())).toMatch(/^A's write\(\) never returned/);
  });
});
