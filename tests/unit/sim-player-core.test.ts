import { describe, expect, it } from 'vitest';
import type { Model } from '../../sims/core/model.ts';
import { ttyModel } from '../../sims/tty/model.ts';
import type { TtyChoice, TtyParams } from '../../sims/tty/types.ts';
import { PlayerCore, seededPick } from '../../components/player/player-core.ts';
import { smallTtyParams } from './helpers/widget-test.ts';

/**
 * A tiny model for exact assertions: a counter that may be incremented by 1 or 2 until it
 * reaches `limit`. A state records the path that reached it.
 */
interface CState {
  n: number;
  path: string;
}
type CChoice = { by: 1 | 2 };
const counter: Model<{ limit: number }, CState, CChoice> & { limit: number } = {
  id: 'counter',
  limit: 6,
  initialState: () => ({ n: 0, path: '' }),
  enabled(s) {
    const out: CChoice[] = [];
    if (s.n + 1 <= 6) out.push({ by: 1 });
    if (s.n + 2 <= 6) out.push({ by: 2 });
    return out;
  },
  step(s, c) {
    if (!this.enabled(s).some((e) => e.by === c.by)) throw new Error('not enabled');
    return { n: s.n + c.by, path: s.path + c.by };
  },
  event: () => null,
  describeChoice: (_s, c) => `+${c.by}`,
  sameChoice: (a, b) => a.by === b.by,
};

const params = { limit: 6 };

describe('PlayerCore', () => {
  it('replays the preset schedule up front and starts at index 0', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 1 }, { by: 2 }] });
    expect(p.length).toBe(3);
    expect(p.index).toBe(0);
    expect(p.states.map((s) => s.n)).toEqual([0, 1, 3]);
    expect(p.scheduleLength).toBe(2);
  });

  it('throws, naming the step, when the schedule is not valid', () => {
    expect(() => new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 2 }, { by: 2 }, { by: 2 }, { by: 2 }] })).toThrow(
      /schedule step 4/,
    );
  });

  it('steps along the known timeline, then extends it with the seeded scheduler to the end', () => {
    const p = new PlayerCore({ model: counter, params, seed: 7, schedule: [{ by: 1 }] });
    expect(p.forward()).toBe(true);
    expect(p.current.path).toBe('1');
    while (p.forward()) {
      /* run to the end */
    }
    expect(p.current.n).toBe(6);
    expect(p.finished).toBe(true);
    expect(p.canForward()).toBe(false);
    expect(p.forward()).toBe(false);
    expect(p.index).toBe(p.length - 1);
    expect(p.current.path.startsWith('1')).toBe(true);
  });

  it('is deterministic for a seed, and the pick depends on the step index only', () => {
    const run = (seed: number) => {
      const p = new PlayerCore({ model: counter, params, seed });
      while (p.forward());
      return p.current.path;
    };
    expect(run(3)).toBe(run(3));
    const paths = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(run));
    expect(paths.size).toBeGreaterThan(1);
    const pick = seededPick<unknown, string>(42);
    expect(pick(['a', 'b', 'c'], null, 5)).toBe(pick(['a', 'b', 'c'], { other: 'state' }, 5));
  });

  it('steps back and seeks within the known states (clamped)', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 1 }, { by: 1 }, { by: 1 }] });
    expect(p.back()).toBe(false);
    expect(p.canBack()).toBe(false);
    p.seek(3);
    expect(p.current.n).toBe(3);
    expect(p.back()).toBe(true);
    expect(p.index).toBe(2);
    expect(p.seek(99)).toBe(3);
    expect(p.seek(-5)).toBe(0);
    expect(p.seek(Number.NaN)).toBe(0);
  });

  it('choosing the step the timeline already takes keeps the future', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 1 }, { by: 2 }, { by: 1 }] });
    const before = p.states.slice();
    expect(p.choose({ by: 1 })).toEqual({ discarded: 0 });
    expect(p.index).toBe(1);
    expect(p.length).toBe(4);
    expect(p.states).toEqual(before);
    expect(p.diverged).toBe(false);
  });

  it('choosing a different step after scrubbing back truncates the future (like undo)', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 1 }, { by: 2 }, { by: 1 }] });
    p.seek(1);
    const r = p.choose({ by: 1 });
    expect(r).toEqual({ discarded: 2 });
    expect(p.index).toBe(2);
    expect(p.length).toBe(3);
    expect(p.states.map((s) => s.path)).toEqual(['', '1', '11']);
    expect(p.choices).toEqual([{ by: 1 }, { by: 1 }]);
    expect(p.diverged).toBe(true);
  });

  it('choosing at the end of the known timeline appends', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1 });
    p.choose({ by: 2 });
    p.choose({ by: 2 });
    expect(p.states.map((s) => s.n)).toEqual([0, 2, 4]);
    expect(p.index).toBe(2);
  });

  it('rejects a choice that is not enabled', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 2 }, { by: 2 }, { by: 1 }] });
    p.seek(3);
    expect(() => p.choose({ by: 2 })).toThrow(/not enabled/);
  });

  it('reset restores the preset timeline and drops the learner\'s choices', () => {
    const p = new PlayerCore({ model: counter, params, seed: 1, schedule: [{ by: 1 }, { by: 1 }] });
    p.choose({ by: 2 });
    p.forward();
    p.reset();
    expect(p.index).toBe(0);
    expect(p.states.map((s) => s.path)).toEqual(['', '1', '11']);
    expect(p.diverged).toBe(false);
  });

  it('stops at maxSteps on a model that never ends', () => {
    const endless: Model<null, number, 'tick'> = {
      id: 'endless',
      initialState: () => 0,
      enabled: () => ['tick'],
      step: (s) => s + 1,
      event: () => null,
      describeChoice: () => 'tick',
      sameChoice: () => true,
    };
    const p = new PlayerCore({ model: endless, params: null, seed: 1, maxSteps: 10 });
    let moves = 0;
    while (p.forward()) moves++;
    expect(moves).toBe(10);
    expect(p.length).toBe(11);
  });

  it('plays the tty model to the end with the seeded scheduler', () => {
    const tty: TtyParams = smallTtyParams([6, 5], { drainBytes: 3 });
    const a = new PlayerCore<TtyParams, ReturnType<typeof ttyModel.initialState>, TtyChoice>({ model: ttyModel, params: tty, seed: 5 });
    while (a.forward());
    expect(a.finished).toBe(true);
    expect(a.current.received.length).toBe(11);
    expect(a.current.writers.every((w) => w.phase === 'done')).toBe(true);
    const b = new PlayerCore({ model: ttyModel, params: tty, seed: 5 });
    while (b.forward());
    expect(b.choices).toEqual(a.choices);
  });
});
