/**
 * Every model, every preset: every state where nothing can happen is a proper end (every
 * actor finished), never a stuck one, unless the preset is about a stuck state. Checked
 * two ways: the preset's own schedule replayed to its end, and the explorer over every
 * schedule of the preset's configuration with the model's `stuck` function, so any
 * deadlock reachable from a preset is a counterexample. (The Prove-it panel's presets are
 * checked the same way in components/explorer/panel-model.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { replay, type Model } from '../core/model.ts';
import { coherenceKey, coherenceModel } from '../dma/coherence.ts';
import { COHERENCE_PRESETS } from '../dma/coherence-presets.ts';
import { dmaModel } from '../dma/model.ts';
import { DMA_PRESETS } from '../dma/presets.ts';
import { canonicalKey as mmKey, mmModel } from '../mm/model.ts';
import { MM_PRESETS } from '../mm/presets.ts';
import { canonicalKey as ttyKey, ttyModel } from '../tty/model.ts';
import { TTY_PRESETS } from '../tty/presets.ts';
import { canonicalKey as uioKey, uioModel } from '../uio/model.ts';
import { UIO_PRESETS } from '../uio/presets.ts';
import { DEADLOCK, explore, type ExploreResult } from './explore.ts';
import { coherenceStuck, dmaStuck, mmStuck, ttyStuck, uioStuck } from './ends.ts';
import { counterProgram, lockOrderProgram, petersonProgram, programKey, programModel, programStuck, type ProgramParams } from './models/program.ts';

interface Case<P, S, C> {
  name: string;
  model: Model<P, S, C>;
  params: P;
  schedule?: readonly C[];
  key?: (s: S) => string;
  stuck: (s: S) => string | null;
  /** The preset is about a run that gets stuck: it must reach a stuck end. */
  aboutDeadlock?: boolean;
}

/** A bounded search: big configurations may stop at the limit; they must not find a deadlock before it. */
const LIMITS = { reduction: 'none' as const, maxStates: 40_000, maxTimeMs: 20_000 };

function search<P, S, C>(c: Case<P, S, C>): ExploreResult<C> {
  return explore({ model: c.model, params: c.params, seed: 1, key: c.key, stuck: c.stuck }, LIMITS);
}

const cases: Case<any, any, any>[] = [
  ...Object.entries(TTY_PRESETS).map(([k, p]) => ({ name: `tty preset ${k}`, model: ttyModel, params: p.params, schedule: p.schedule, key: ttyKey, stuck: ttyStuck })),
  ...Object.entries(MM_PRESETS).map(([k, p]) => ({ name: `mm preset ${k}`, model: mmModel, params: p.params, schedule: p.schedule, key: mmKey, stuck: mmStuck })),
  ...Object.entries(DMA_PRESETS).map(([k, p]) => ({ name: `dma preset ${k}`, model: dmaModel, params: p.params, schedule: p.schedule, stuck: dmaStuck })),
  ...Object.entries(COHERENCE_PRESETS).map(([k, p]) => ({ name: `coherence preset ${k}`, model: coherenceModel, params: p.params, schedule: p.schedule, key: coherenceKey, stuck: coherenceStuck })),
  ...Object.entries(UIO_PRESETS).map(([k, p]) => ({ name: `uio preset ${k}`, model: uioModel, params: p.params, schedule: p.schedule, key: uioKey, stuck: uioStuck })),
  ...([
    ['counter, 3 threads, lock', counterProgram(3, true), false],
    ['counter, 3 threads, no lock', counterProgram(3, false), false],
    ['Peterson', petersonProgram(false), false],
    ['Peterson, writes swapped', petersonProgram(true), false],
    ['two locks in opposite orders', lockOrderProgram(), true],
  ] as [string, ProgramParams, boolean][]).map(([name, p, aboutDeadlock]) => ({ name: `program: ${name}`, model: programModel(p), params: p, key: programKey, stuck: programStuck(p), aboutDeadlock })),
];

describe('every terminal state of every model is a proper end', () => {
  it('covers every model', () => {
    expect(new Set(cases.map((c) => c.model.id))).toEqual(new Set(['tty', 'mm', 'dma', 'dma-coherence', 'uio', 'program']));
  });

  for (const c of cases) {
    it(c.name, () => {
      if (c.schedule) {
        const states = replay(c.model, c.params, 1, c.schedule);
        const end = states[states.length - 1];
        if (c.model.enabled(end).length === 0) expect(c.stuck(end), `${c.name}: its schedule's end`).toBeNull();
      }
      const r = search(c);
      if (c.aboutDeadlock) {
        expect(r.verdict).toBe('counterexample');
        if (r.verdict === 'counterexample') expect(r.invariant).toBe(DEADLOCK);
        return;
      }
      if (r.verdict === 'counterexample') throw new Error(`${c.name}: ${r.message} (after ${r.schedule.length} steps: ${JSON.stringify(r.schedule)})`);
      expect(['proved', 'incomplete']).toContain(r.verdict);
      expect(r.stats.states).toBeGreaterThan(0);
    }, 60_000); // a bounded search; alone it takes at most about 2 s
  }
});

describe('the explorer reports a deadlock as one', () => {
  it('names the stuck threads, in the shortest schedule, whatever the property', () => {
    const p = lockOrderProgram();
    const r = explore({ model: programModel(p), params: p, seed: 1, key: programKey, stuck: programStuck(p), final: { name: 'anything', check: () => null } });
    expect(r).toMatchObject({ verdict: 'counterexample', invariant: DEADLOCK });
    if (r.verdict !== 'counterexample') return;
    expect(r.schedule).toHaveLength(2);
    expect(r.message).toBe('Deadlock: no thread can run, but thread 0 waits for lock n, held by thread 1; thread 1 waits for lock m, held by thread 0.');
  });

  it('is checked before a final property, so a stuck end is named as a deadlock', () => {
    const p = lockOrderProgram();
    const r = explore({ model: programModel(p), params: p, seed: 1, key: programKey, stuck: programStuck(p), final: { name: 'all unlocked', check: (s) => (Object.values(s.locks).some((v) => v !== null) ? 'a lock is held' : null) } });
    expect(r).toMatchObject({ verdict: 'counterexample', invariant: DEADLOCK });
  });

  it('without `stuck` (a property about deadlock leaves it out) the same ends pass', () => {
    const p = lockOrderProgram();
    expect(explore({ model: programModel(p), params: p, seed: 1, key: programKey }).verdict).toBe('proved');
  });
});
