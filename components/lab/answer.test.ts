import { describe, expect, it } from 'vitest';
import { decodeShare } from '../../sims/tty/index.ts';
import { BUGGY_HANDLERS, exploreRing, ringModel, type RingParams } from '../../sims/daq/index.ts';
import { proveTty, ttyModel } from '../../sims/tty/index.ts';
import { describeAnyResult, describeResult, formatCount, PANEL_DEFAULTS, PANEL_PRESETS, paramsOf, violationStep } from '../explorer/panel-model.ts';
import { answerOf, describe as describeValue } from './display.ts';

const preset = (id: string) => PANEL_PRESETS.find((p) => p.id === id)!.choices;

describe('an explorer result in a Lab cell', () => {
  it('a proof renders with the Prove-it panel\'s own words and counts', () => {
    const params = paramsOf(PANEL_DEFAULTS);
    const proof = proveTty(params);
    expect(proof.verdict).toBe('proved');
    const d = describeValue(proof);
    expect(d.kind).toBe('answer');
    if (d.kind !== 'answer') return;
    // The same view the panel renders for the same question.
    expect(d.view).toEqual(describeResult(proof, params, 'atomic-write'));
    expect(d.view.heading).toBe('Proved: no schedule breaks it');
    expect(d.view.rows).toContainEqual(['States', formatCount(proof.stats.states)]);
    expect(d.run).toBeUndefined();
    expect(d.model).toBe('tty');
  });

  it('a counterexample renders with its schedule as a run, opened at the violation step, and a lesson link there', () => {
    const params = paramsOf(preset('no-lock'));
    const proof = proveTty(params);
    expect(proof.verdict).toBe('counterexample');
    if (proof.verdict !== 'counterexample') return;
    const d = answerOf(proof)!;
    expect(d.view).toEqual(describeResult(proof, params, 'atomic-write'));
    expect(d.view.status).toBe('counterexample');
    expect(d.run!.model).toBe('tty');
    expect(d.run!.steps).toHaveLength(proof.schedule.length + 1);
    expect(d.run!.steps[1].choice).toBe(ttyModel.describeChoice(ttyModel.initialState(params, 1), proof.schedule[0]));
    const at = violationStep(params, proof.schedule, proof.invariant);
    expect(d.at).toBe(at);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThanOrEqual(proof.schedule.length);
    const shared = decodeShare(d.run!.share!.text);
    expect(shared).toMatchObject({ ok: true, step: at, schedule: proof.schedule });
  });

  it('the property asked is the one described', () => {
    const params = paramsOf(preset('signal'));
    const proof = proveTty(params, 'no-interleaving');
    expect(answerOf(proof)!.view).toEqual(describeResult(proof, params, 'no-interleaving'));
  });

  it('another model\'s result, given with its model, gets the panel\'s model-neutral words and a run', () => {
    const params: RingParams = { n: 2, frames: 3, coherent: true, start: 0, consumer: 'correct', device: 'correct' };
    const handler = BUGGY_HANDLERS['publish-started'].handler;
    const result = exploreRing(params, handler);
    expect(result.verdict).toBe('counterexample');
    if (result.verdict !== 'counterexample') return;
    const d = answerOf({ model: ringModel(handler), params, result })!;
    expect(d.view).toEqual(describeAnyResult(result, ringModel(handler).id));
    expect(d.view.heading).toMatch(/^Counterexample: (a deadlock after )?\d+ steps/);
    expect(d.run!.steps).toHaveLength(result.schedule.length + 1);
    expect(d.at).toBe(result.schedule.length);
  });

  it('a bare result without its model still renders the answer, with no run', () => {
    const result = exploreRing({ n: 2, frames: 2, coherent: true, start: 0, consumer: 'correct', device: 'correct' });
    const d = describeValue(result);
    expect(d).toMatchObject({ kind: 'answer', model: null, view: describeAnyResult(result, 'given') });
    expect(d.kind === 'answer' && d.run).toBeFalsy();
  });

  it('look-alikes are not answers', () => {
    expect(answerOf({ verdict: 'proved' })).toBeNull();
    expect(answerOf({ verdict: 'maybe', stats: { states: 1, transitions: 1, schedules: 1, maxDepth: 1, elapsedMs: 1 } })).toBeNull();
    expect(answerOf({ verdict: 'counterexample', stats: { states: 1, transitions: 1, schedules: 1, maxDepth: 1, elapsedMs: 1 } })).toBeNull();
    expect(describeValue({ verdict: 'proved' }).kind).toBe('value');
  });

  it('a schedule that does not replay shows as an error value, never a throw', () => {
    const params = paramsOf(PANEL_DEFAULTS);
    const bogus = { ...proveTty(params), verdict: 'counterexample', schedule: [{ kind: 'run', writer: 7 }], invariant: 'x', message: 'm' };
    expect(describeValue(bogus)).toMatchObject({ kind: 'value', tree: { type: 'error' } });
  });
});
