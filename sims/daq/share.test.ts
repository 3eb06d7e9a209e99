import { describe, expect, it } from 'vitest';
import { replay } from '../core/model.ts';
import { pushVarint, toBase64Url } from '../core/share.ts';
import { daqModel, enabled, initialState, step, type DaqChoice, type DaqParams } from './model.ts';
import { DAQ_PRESETS } from './presets.ts';
import { DAQ_SHARE_KEYS, decodeDaqShare, encodeDaqShare, sameDaqParams } from './share.ts';

/** The first `n` choices of the default scheduler from `params`. */
function firstChoices(params: DaqParams, n: number): DaqChoice[] {
  let s = initialState(params);
  const out: DaqChoice[] = [];
  for (let i = 0; i < n; i++) {
    const c = enabled(s)[0];
    out.push(c);
    s = step(s, c);
  }
  return out;
}

const B = DAQ_PRESETS['design-b'].params;
const changedB: DaqParams = { ...B, read_bytes: 4 << 20, reads_in_flight: 2, costs: { ...B.costs, syscall_ns: 612.5 } };

describe('daq share links', () => {
  it('a run of the preset’s own parameters is a version 1 (preset codec) link, and round-trips', () => {
    const schedule = firstChoices(B, 5);
    const text = encodeDaqShare({ preset: 'design-b', params: B, schedule, step: 3 });
    expect(text).toMatch(/^daq\.1\.design-b\.[A-Za-z0-9_-]{5}\.3$/);
    const d = decodeDaqShare(text);
    expect(d.ok && d.changed).toBe(false);
    if (d.ok) {
      expect(d.params).toEqual(B);
      expect(d.schedule).toEqual(schedule);
      expect(d.step).toBe(3);
    }
  });

  it('changed parameters travel in a version 2 link and come back exactly, with the schedule replayed from them', () => {
    const schedule = firstChoices(changedB, 7);
    const text = encodeDaqShare({ preset: 'design-b', params: changedB, schedule, step: 7 });
    expect(text.startsWith('daq.2.design-b.')).toBe(true);
    const d = decodeDaqShare(text);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.changed).toBe(true);
    expect(d.preset).toBe('design-b');
    expect(d.params).toEqual(changedB);
    expect(sameDaqParams(d.params, B)).toBe(false);
    expect(d.schedule).toEqual(schedule);
    // The state at the step is the one the learner saw.
    expect(replay(daqModel, d.params, 1, d.schedule.slice(0, d.step)).at(-1)).toEqual(replay(daqModel, changedB, 1, schedule).at(-1));
  });

  it('every key of the format is a number of the parameters', () => {
    for (const k of DAQ_SHARE_KEYS) {
      const v = 'param' in k ? B[k.param] : B.costs[k.cost];
      expect(typeof v).toBe('number');
    }
    expect(new Set(DAQ_SHARE_KEYS.map((k) => JSON.stringify(k))).size).toBe(DAQ_SHARE_KEYS.length);
    expect(DAQ_SHARE_KEYS.filter((k) => 'cost' in k).length).toBe(Object.keys(B.costs).length);
  });

  it('refuses to encode what a link cannot carry', () => {
    expect(() => encodeDaqShare({ preset: 'design-z', params: B, schedule: [], step: 0 })).toThrow(RangeError);
    expect(() => encodeDaqShare({ preset: 'design-a', params: B, schedule: [], step: 0 })).toThrow(/design A/);
    expect(() => encodeDaqShare({ preset: 'design-b', params: { ...B, rate_Bps: 1 / 3 }, schedule: [], step: 0 })).toThrow(/rate_Bps/);
    expect(() => encodeDaqShare({ preset: 'design-b', params: changedB, schedule: [], step: 1 })).toThrow(RangeError);
  });

  it('says why a link cannot be opened, never throwing', () => {
    const good = encodeDaqShare({ preset: 'design-b', params: changedB, schedule: firstChoices(changedB, 2), step: 2 });
    const [, , key, changes, choices, stepText] = good.split('.');
    const fail = (text: unknown) => {
      const d = decodeDaqShare(text);
      expect(d.ok).toBe(false);
      return d.ok ? null : d;
    };
    expect(fail('daq.1.design-q..0')?.kind).toBe('invalid-params');
    expect(fail(`daq.2.design-q.${changes}.${choices}.${stepText}`)?.error).toMatch(/design-q/);
    expect(fail(`daq.2.${key}.${changes}.${choices}`)?.kind).toBe('malformed');
    expect(fail(`daq.2.${key}.!!.${choices}.${stepText}`)?.kind).toBe('malformed');
    expect(fail(`daq.2.${key}..${choices}.${stepText}`)?.kind).toBe('malformed');
    expect(fail(`daq.3.${key}.${changes}.${choices}.${stepText}`)?.kind).toBe('outdated');
    expect(fail(`mm.1.translate.AA.2`)?.kind).toBe('unknown-model');
    // reads_in_flight (key 5) = 3: the model's own reason.
    const three: number[] = [5];
    pushVarint(three, 3000);
    const bad = fail(`daq.2.${key}.${toBase64Url(three)}..0`);
    expect(bad?.kind).toBe('invalid-params');
    expect(bad?.error).toMatch(/reads_in_flight/);
    // Keys out of order, or past the list.
    expect(fail(`daq.2.${key}.${toBase64Url([6, 1, 5, 1])}..0`)?.kind).toBe('malformed');
    expect(fail(`daq.2.${key}.${toBase64Url([DAQ_SHARE_KEYS.length, 1])}..0`)?.kind).toBe('malformed');
    expect(fail(`daq.2.${key}.${changes}.${'B'.repeat(3)}.${stepText}`)?.kind).toBe('replay');
  });
});
