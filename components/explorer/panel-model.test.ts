import { describe, expect, it } from 'vitest';
import { replay } from '../../sims/core/model.ts';
import { DEADLOCK, explore } from '../../sims/explore/index.ts';
import { canonicalKey, ttyModel } from '../../sims/tty/index.ts';
import { noInterleaving, ttyExploreSpec, ttyStuck, wholeWrites, type TtyProperty } from '../../sims/tty/index.ts';
import type { TtyParams, TtyState } from '../../sims/tty/index.ts';
import { checkChoices, choicesFromParams, describeResult, formatCount, formatMs, limitPercent, optionsOf, PANEL_DEFAULTS, PANEL_PRESETS, paramsOf, progressText, violationStep } from './panel-model.ts';

/** Time limit for the exhaustive searches (1-4 s alone; the test machine may be shared). */
const SLOW_MS = 60_000;

const run = (id: string) => {
  const p = PANEL_PRESETS.find((x) => x.id === id)!;
  return { preset: p, params: paramsOf(p.choices), result: explore(ttyExploreSpec(paramsOf(p.choices), p.choices.property), optionsOf(p.choices)) };
};

describe('panel presets give the answers their buttons promise', () => {
  it('blocking writers on the current kernel: proved, with counts', () => {
    const { result, params } = run('blocking');
    expect(result).toMatchObject({ verdict: 'proved', stats: { states: 147, transitions: 194, schedules: 312 } });
    const v = describeResult(result, params, 'atomic-write');
    expect(v.status).toBe('proved');
    expect(v.sentences[0]).toMatch(/^In every schedule of this configuration, each write\(\) reached the far end whole/);
    expect(Object.fromEntries(v.rows)).toMatchObject({ States: '147', Transitions: '194', 'Complete schedules covered': '312', 'Preemption bound': 'unbounded', Reduction: 'sleep sets' });
  });

  for (const [id, message, interleaves] of [
    ['nonblock', /B's write\(\) failed with -EAGAIN/, false],
    ['signal', /A's write\(\) failed with -EINTR/, false],
    ['no-lock', /B's bytes land inside A's write/, true],
    ['pipe-large', /B's bytes land inside A's write/, true],
  ] as const) {
    it(`${id}: a counterexample whose violation step is where it shows`, () => {
      const { result, params } = run(id);
      if (result.verdict !== 'counterexample') throw new Error(`${id}: ${result.verdict}`);
      expect(result.message).toMatch(message);
      const step = violationStep(params, result.schedule, result.invariant);
      const states = replay(ttyModel, params, 1, result.schedule);
      if (interleaves) {
        expect(step).toBe(result.schedule.length);
      } else {
        // The write comes back short at `step`, and not before.
        expect(states[step].writers.some((w) => w.result !== null && w.result < 0)).toBe(true);
        expect(states[step - 1].writers.every((w) => w.result === null || w.result > 0)).toBe(true);
      }
      const v = describeResult(result, params, 'atomic-write');
      expect(v.heading).toBe(`Counterexample: ${result.schedule.length} steps break it`);
      expect(v.sentences[1]).toContain(`Step ${step} of this ${result.schedule.length}-step schedule`);
    });
  }

  it('pipe writes of at most PIPE_BUF: proved', () => {
    expect(run('pipe-small').result.verdict).toBe('proved');
  });

  it('the long search is long: it does not finish within 20,000 states', () => {
    const p = PANEL_PRESETS.find((x) => x.id === 'long')!;
    const r = explore(ttyExploreSpec(paramsOf(p.choices), p.choices.property), { ...optionsOf(p.choices), maxStates: 20_000 });
    expect(r).toMatchObject({ verdict: 'incomplete', reason: 'states' });
    const v = describeResult(r, paramsOf(p.choices), 'no-interleaving');
    expect(v.heading).toBe('Not finished');
    expect(v.sentences[0]).toBe('The search reached its limit of 20,000 states.');
    expect(v.sentences[1]).toMatch(/^It covered 20,000 states and [\d,]+ transitions, down to schedules \d+ steps long, and found no violation there/);
  }, SLOW_MS);
});

/**
 * Every state with nothing enabled, by a plain depth-first walk over canonical keys (no
 * explorer involved): the independent truth a "Proved" must agree with.
 */
function terminalStates(params: TtyParams): TtyState[] {
  const seen = new Set<string>();
  const out: TtyState[] = [];
  const stack = [ttyModel.initialState(params, 1)];
  while (stack.length) {
    const s = stack.pop()!;
    const k = canonicalKey(s);
    if (seen.has(k)) continue;
    seen.add(k);
    const cs = ttyModel.enabled(s);
    if (cs.length === 0) out.push(s);
    for (const c of cs) stack.push(ttyModel.step(s, c));
  }
  return out;
}

describe('a proof is only given when every schedule ends properly', () => {
  it('pipe, one 16-byte write (issue 11): proved, and every end is every write() returned whole', () => {
    const choices = { ...PANEL_DEFAULTS, variant: 'pipe' as const, writers: [{ size: 16, nonblock: false, signal: false }] };
    const params = paramsOf(choices);
    const result = explore(ttyExploreSpec(params, 'atomic-write'), optionsOf(choices));
    expect(result.verdict).toBe('proved');
    const ends = terminalStates(params);
    expect(ends.length).toBeGreaterThan(0);
    for (const s of ends) expect(s.writers.map((w) => w.result)).toEqual([16]);
  });

  for (const preset of PANEL_PRESETS) {
    it(`Prove-it preset ${preset.id}: no schedule gets stuck`, () => {
      const params = paramsOf(preset.choices);
      const r = explore({ ...ttyExploreSpec(params, preset.choices.property), invariant: undefined, final: undefined }, { reduction: 'none', maxStates: 40_000 });
      expect(r.verdict === 'counterexample' ? r.message : r.verdict).toMatch(preset.id === 'long' ? /^incomplete$/ : /^proved$/);
    }, SLOW_MS);
  }

  it('agrees with a plain walk of every schedule on a grid of small configurations', () => {
    const W = (size: number, nonblock = false, signal = false) => ({ size, nonblock, signal });
    const grid = [[W(16)], [W(9)], [W(5), W(6)], [W(8), W(3, true)], [W(6, false, true), W(5)], [W(16, false, true)]];
    let checked = 0;
    for (const variant of ['kernel', 'no-lock', 'pipe'] as const) {
      for (const writers of grid) {
        for (const property of ['atomic-write', 'no-interleaving'] as TtyProperty[]) {
          const params = paramsOf({ ...PANEL_DEFAULTS, variant, writers, property });
          const r = explore(ttyExploreSpec(params, property), { maxStates: 200_000 });
          const ends = terminalStates(params);
          const bad = ends.find((s) => ttyStuck(s) !== null || (property === 'atomic-write' && wholeWrites.check(s) !== null));
          const label = `${variant} ${JSON.stringify(writers)} ${property}`;
          if (r.verdict === 'proved') expect(bad, label).toBeUndefined();
          // No end is stuck in the fixed model, so no counterexample is a deadlock.
          if (r.verdict === 'counterexample') expect(r.invariant, label).not.toBe(DEADLOCK);
          for (const s of ends) expect(ttyStuck(s), label).toBeNull();
          if (r.verdict === 'proved' && property === 'no-interleaving') for (const s of ends) expect(noInterleaving.check(s), label).toBeNull();
          checked++;
        }
      }
    }
    expect(checked).toBe(36);
  }, SLOW_MS);

  it('names a deadlock as one, at the step where nothing can run', () => {
    const params = paramsOf({ ...PANEL_DEFAULTS, variant: 'pipe', writers: [{ size: 16, nonblock: false, signal: false }] });
    const schedule = [0, 0, 0].map((writer) => ({ kind: 'run' as const, writer }));
    const stats = { states: 9, transitions: 9, schedules: 0, maxDepth: 8, preemptionBound: null, reduction: 'sleep-sets' as const, elapsedMs: 1 };
    const message = 'Deadlock: nothing can run, but writer A has not returned from write(): it sleeps in pipe_write waiting for a free pipe buffer while holding pipe->mutex.';
    const v = describeResult({ verdict: 'counterexample', schedule, invariant: DEADLOCK, message, stats }, params, 'atomic-write');
    expect(v.heading).toBe('Counterexample: a deadlock after 3 steps');
    expect(v.sentences[0]).toBe(message);
    expect(v.sentences[1]).toMatch(/^After step 3 of this schedule nothing can run, yet a write\(\) has not returned/);
    expect(Object.fromEntries(v.rows)).toMatchObject({ 'Deadlock at step': '3', 'Schedule length': '3 steps' });
    expect(violationStep(params, schedule, DEADLOCK)).toBe(3);
  });
});

describe('words and numbers', () => {
  it('formats counts, huge counts and times', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(157031752394754700000)).toBe('about 1.6 × 10²⁰');
    expect(formatMs(7.4)).toBe('7 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(20_000)).toBe('20.0 s');
  });
  it('progress and limits', () => {
    const p = { states: 1000, transitions: 1500, depth: 12, elapsedMs: 250, phase: 'search' as const };
    expect(progressText(p)).toBe('1,000 states · 1,500 transitions · depth 12 · 0.25 s');
    expect(progressText({ ...p, phase: 'shortest' })).toMatch(/^Found a violation/);
    expect(limitPercent(p, { ...optionsOf(PANEL_DEFAULTS), maxStates: 2000 })).toBe(50);
    expect(limitPercent({ ...p, elapsedMs: 1e9 }, optionsOf(PANEL_DEFAULTS))).toBe(100);
  });
  it('maps shared parameters back to the form when the panel can show them', () => {
    const nonblock = PANEL_PRESETS.find((p) => p.id === 'nonblock')!.choices;
    const back = choicesFromParams(paramsOf(nonblock), { ...PANEL_DEFAULTS, property: 'no-interleaving', preemptionBound: 2 });
    expect(back).toEqual({ ...nonblock, property: 'no-interleaving', preemptionBound: 2 });
    const p = paramsOf(PANEL_DEFAULTS);
    expect(choicesFromParams({ ...p, xmitSize: 16384 }, PANEL_DEFAULTS)).toBeNull();
    expect(choicesFromParams({ ...p, writers: [{ size: 17, nonblock: false, signal: false }] }, PANEL_DEFAULTS)).toBeNull();
    expect(choicesFromParams({ ...p, baud: 9600 }, PANEL_DEFAULTS)).toBeNull();
  });
  it('checks choices', () => {
    expect(checkChoices(PANEL_DEFAULTS)).toBeNull();
    expect(checkChoices({ ...PANEL_DEFAULTS, writers: [] })).toMatch(/one to 3/);
    expect(checkChoices({ ...PANEL_DEFAULTS, writers: [{ size: 17, nonblock: false, signal: false }] })).toMatch(/Writer A’s size/);
    expect(checkChoices({ ...PANEL_DEFAULTS, writers: [{ size: 2.5, nonblock: false, signal: false }] })).toMatch(/whole number/);
  });
  it('describes a bounded proof and a cancelled search honestly', () => {
    const params = paramsOf(PANEL_DEFAULTS);
    const r = explore(ttyExploreSpec(params), { preemptionBound: 1 });
    const v = describeResult(r, params, 'atomic-write');
    expect(v.sentences[0]).toMatch(/with at most 1 preemption \(a switch away/);
    expect(v.sentences.join(' ')).toMatch(/not checked/);
    expect(Object.fromEntries(v.rows).Reduction).toMatch(/sleep sets are off under a preemption bound/);
    const c = describeResult({ verdict: 'incomplete', reason: 'cancelled', stats: { ...r.stats, maxDepth: 0 } }, params, 'atomic-write', 'shortest');
    expect(c.sentences[0]).toBe('You cancelled the search.');
    expect(c.sentences[1]).toMatch(/already found a violation/);
  });
});
