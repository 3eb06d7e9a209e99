import { describe, it, expect } from 'vitest';
import { handleCompletion } from '@submission';
import { exploreRing, type RingParams } from '@sims/daq';

const U32 = 2 ** 32;
const base: RingParams = { n: 2, frames: 3, coherent: true, start: 0, consumer: 'correct', device: 'correct' };

/** Runs the explorer and fails with the counterexample's message and schedule. */
function expectProved(over: Partial<RingParams>) {
  const params = { ...base, ...over };
  const r = exploreRing(params, handleCompletion);
  const why = r.verdict === 'counterexample' ? `${r.invariant}: ${r.message}; schedule: ${r.schedule.map((c) => c.actor).join(', ')}` : r.verdict;
  expect(why, `ring ${JSON.stringify(params)}`).toBe('proved');
}

describe('handleCompletion on a coherent machine (x86)', () => {
  it('one buffer, three frames', () => expectProved({ n: 1, frames: 3 }));
  it('two buffers, three frames: interrupts coalesce', () => expectProved({ n: 2, frames: 3 }));
  it('four buffers, four frames', () => expectProved({ n: 4, frames: 4 }));
});

describe('handleCompletion on a non-coherent machine (cached buffers, arm64)', () => {
  it('two buffers: every completed buffer is synced before it is published', () => expectProved({ n: 2, frames: 3, coherent: false }));
  it('one buffer reused: the stale copy of the previous frame must not be seen', () => expectProved({ n: 1, frames: 3, coherent: false }));
});

describe('handleCompletion with counters about to wrap', () => {
  it('produced and completed cross 2**32 - 1', () => expectProved({ n: 2, frames: 4, start: U32 - 2 }));
  it('non-coherent, across the wrap', () => expectProved({ n: 4, frames: 4, coherent: false, start: U32 - 1 }));
});

describe('what one call returns', () => {
  it('syncs each completed buffer, publishes once and wakes last', () => {
    const ops = handleCompletion({ completed: 7, started: 8, produced: 5, n: 4, coherent: false });
    expect(ops).toEqual([{ op: 'sync', slot: 1 }, { op: 'sync', slot: 2 }, { op: 'publish', produced: 7 }, { op: 'wake' }]);
  });
});
