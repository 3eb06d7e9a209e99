import { describe, expect, it } from 'vitest';
import { replay, type Model } from '../core/model.ts';
import { nextInt } from '../core/rng.ts';
import { explore, createExplorer, type ExploreSpec, type Invariant } from './explore.ts';
import {
  counterProgram,
  finalEquals,
  mutualExclusion,
  petersonProgram,
  programIndependent,
  programKey,
  programModel,
  type Instr,
  type ProgramChoice,
  type ProgramParams,
  type ProgramState,
} from './models/program.ts';

function spec(p: ProgramParams, inv: { invariant?: Invariant<ProgramState>; final?: Invariant<ProgramState> }, staticIndep = false): ExploreSpec<ProgramParams, ProgramState, ProgramChoice> {
  return {
    model: programModel(p),
    params: p,
    seed: 1,
    ...inv,
    key: programKey,
    actor: (c) => String(c.thread),
    ...(staticIndep ? { independent: programIndependent(p) } : {}),
  };
}

/** Replays a counterexample and returns whether its last state breaks the invariant(s). */
function replaysToViolation(s: ExploreSpec<ProgramParams, ProgramState, ProgramChoice>, schedule: ProgramChoice[]): boolean {
  const states = replay(s.model as Model<ProgramParams, ProgramState, ProgramChoice>, s.params, s.seed, schedule);
  const last = states[states.length - 1];
  if (s.invariant?.check(last)) return true;
  return s.model.enabled(last).length === 0 && !!s.final?.check(last);
}

describe('explorer on textbook models', () => {
  for (const reduction of ['none', 'sleep-sets'] as const) {
    it(`proves a counter under a lock (3 threads, ${reduction})`, () => {
      const r = explore(spec(counterProgram(3, true), { final: finalEquals('c', 3) }), { reduction });
      expect(r.verdict).toBe('proved');
      expect(r.stats.states).toBeGreaterThan(20);
      expect(r.stats.schedules).toBeGreaterThanOrEqual(6);
    });

    it(`finds the lost update in an unlocked counter (${reduction})`, () => {
      const s = spec(counterProgram(2, false), { final: finalEquals('c', 2) });
      const r = explore(s, { reduction });
      expect(r.verdict).toBe('counterexample');
      if (r.verdict !== 'counterexample') return;
      expect(r.message).toBe('c is 1 at the end, expected 2');
      // Shortest: both read before either writes, then both write: 4 steps.
      expect(r.schedule).toHaveLength(4);
      expect(replaysToViolation(s, r.schedule)).toBe(true);
    });

    it(`proves Peterson's algorithm (${reduction})`, () => {
      const r = explore(spec(petersonProgram(false), { invariant: mutualExclusion }), { reduction });
      expect(r.verdict).toBe('proved');
    });

    it(`finds the bug in Peterson with the flag and turn writes swapped (${reduction})`, () => {
      const s = spec(petersonProgram(true), { invariant: mutualExclusion });
      const r = explore(s, { reduction });
      expect(r.verdict).toBe('counterexample');
      if (r.verdict !== 'counterexample') return;
      expect(r.invariant).toBe('mutual exclusion');
      expect(replaysToViolation(s, r.schedule)).toBe(true);
    });
  }

  it('sleep sets explore fewer transitions and schedules but the same states', () => {
    // Each thread first writes its own variable (independent of the others), then
    // increments the shared counter under the lock.
    const base = counterProgram(3, true);
    const p: ProgramParams = { ...base, threads: base.threads.map((t, i) => [{ op: 'write', var: `own${i}`, value: 1 } as Instr, ...t]) };
    const plain = explore(spec(p, { final: finalEquals('c', 3) }), { reduction: 'none' });
    const por = explore(spec(p, { final: finalEquals('c', 3) }), { reduction: 'sleep-sets' });
    expect(por.stats.states).toBe(plain.stats.states);
    expect(por.stats.transitions).toBeLessThan(plain.stats.transitions);
    expect(por.stats.schedules).toBeLessThan(plain.stats.schedules);
  });

  it('collapses the orders of fully independent threads into one schedule', () => {
    // Two threads writing different variables: every interleaving is equivalent.
    const p: ProgramParams = {
      threads: [
        [{ op: 'write', var: 'x', value: 1 }, { op: 'write', var: 'x', value: 2 }],
        [{ op: 'write', var: 'y', value: 1 }, { op: 'write', var: 'y', value: 2 }],
      ],
      shared: { x: 0, y: 0 },
    };
    const plain = explore(spec(p, {}), { reduction: 'none' });
    const por = explore(spec(p, {}), { reduction: 'sleep-sets' });
    expect(plain.stats.schedules).toBe(6);
    expect(por.stats.schedules).toBe(1);
    expect(por.stats.states).toBe(plain.stats.states);
  });

  it('a preemption bound of 0 misses a bug that needs a preemption; 1 finds it', () => {
    const s = spec(counterProgram(2, false), { final: finalEquals('c', 2) });
    expect(explore(s, { preemptionBound: 0 }).verdict).toBe('proved');
    const r = explore(s, { preemptionBound: 1 });
    expect(r.verdict).toBe('counterexample');
    expect(r.stats.preemptionBound).toBe(1);
    expect(r.stats.reduction).toBe('none');
  });

  it('stops at the state limit with what it covered', () => {
    const r = explore(spec(counterProgram(4, true), { final: finalEquals('c', 4) }), { maxStates: 50 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.reason).toBe('states');
    expect(r.stats.states).toBe(50);
  });

  it('runs in slices, reports progress and can be cancelled', () => {
    let t = 0;
    const ex = createExplorer(spec(counterProgram(5, false), {}), { now: () => (t += 1) });
    expect(ex.run(1)).toBeNull();
    expect(ex.progress().states).toBeGreaterThan(0);
    ex.cancel();
    const r = ex.run();
    expect(r).toMatchObject({ verdict: 'incomplete', reason: 'cancelled' });
  });

  it('stops at the time limit', () => {
    let t = 0;
    const r = explore(spec(counterProgram(5, false), {}), { now: () => (t += 500), maxTimeMs: 3000 });
    expect(r).toMatchObject({ verdict: 'incomplete', reason: 'time' });
  });

  it('rejects a bad preemption bound', () => {
    expect(() => createExplorer(spec(counterProgram(2, true), {}), { preemptionBound: -1 })).toThrow(RangeError);
  });
});

/** A random small program: 2-3 threads of 1-3 instructions over x, y and one lock. */
function randomProgram(seed: number): { p: ProgramParams; inv: Invariant<ProgramState> } {
  let s = seed;
  const int = (n: number) => {
    const [v, next] = nextInt(s, n);
    s = next;
    return v;
  };
  const vars = ['x', 'y'];
  const threads: Instr[][] = [];
  const nThreads = 2 + int(2);
  for (let t = 0; t < nThreads; t++) {
    const body: Instr[] = [];
    const n = 1 + int(3);
    const locked = int(3) === 0;
    if (locked) body.push({ op: 'lock', lock: 'm' });
    for (let i = 0; i < n; i++) {
      const v = vars[int(2)];
      switch (int(3)) {
        case 0:
          body.push({ op: 'read', var: v, reg: 'r' });
          break;
        case 1:
          body.push({ op: 'write', var: v, value: { add: [{ reg: 'r' }, 1 + int(2)] } });
          break;
        default:
          body.push({ op: 'write', var: v, value: int(4) });
      }
    }
    if (locked) body.push({ op: 'unlock', lock: 'm' });
    threads.push(body);
  }
  const v = vars[int(2)];
  const bad = 1 + int(4);
  return { p: { threads, shared: { x: 0, y: 0 } }, inv: { name: `${v} != ${bad}`, check: (st) => (st.shared[v] === bad ? `${v} == ${bad}` : null) } };
}

describe('property: partial-order reduction agrees with plain search', () => {
  it('on 300 random small programs (same verdicts, same state counts when proved, counterexamples replay)', () => {
    let proved = 0;
    let found = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { p, inv } = randomProgram(seed * 7919);
      const plain = explore(spec(p, { invariant: inv }), { reduction: 'none' });
      const dyn = explore(spec(p, { invariant: inv }), { reduction: 'sleep-sets' });
      const stat = explore(spec(p, { invariant: inv }, true), { reduction: 'sleep-sets' });
      expect([dyn.verdict, stat.verdict], `seed ${seed}`).toEqual([plain.verdict, plain.verdict]);
      if (plain.verdict === 'proved') {
        proved++;
        expect(dyn.stats.states, `seed ${seed}`).toBe(plain.stats.states);
        expect(stat.stats.states, `seed ${seed}`).toBe(plain.stats.states);
      }
      for (const r of [plain, dyn, stat]) {
        if (r.verdict === 'counterexample') {
          found++;
          expect(replaysToViolation(spec(p, { invariant: inv }), r.schedule), `seed ${seed}`).toBe(true);
          // Breadth-first shortening: no reduction finds a shorter one than plain search.
          if (plain.verdict === 'counterexample') expect(r.schedule.length).toBe(plain.schedule.length);
        }
      }
    }
    // The generator produces both kinds of outcome.
    expect(proved).toBeGreaterThan(20);
    expect(found).toBeGreaterThan(20);
  });

  it('bounded plain search never reports a bug that unbounded search would not, and finds all with a large bound', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { p, inv } = randomProgram(seed * 104729);
      const full = explore(spec(p, { invariant: inv }), { reduction: 'none' });
      for (const bound of [0, 1, 2]) {
        const b = explore(spec(p, { invariant: inv }), { preemptionBound: bound });
        if (b.verdict === 'counterexample') expect(full.verdict, `seed ${seed} bound ${bound}`).toBe('counterexample');
      }
      expect(explore(spec(p, { invariant: inv }), { preemptionBound: 20 }).verdict, `seed ${seed}`).toBe(full.verdict);
    }
  });
});
