/** Share links of the memory model (`mm.1.<preset>.<choices>.<step>`: the preset codec of sims/core/share.ts). */
import { describe, expect, it } from 'vitest';
import { MM_PRESETS, mmModel } from './index.ts';
import { decodeMmShare as decodeShare, encodeMmShare } from './share.ts';

describe('mm share links', () => {
  it('round-trips every preset at every step', () => {
    for (const [preset, spec] of Object.entries(MM_PRESETS)) {
      for (let step = 0; step <= spec.schedule.length; step++) {
        const text = encodeMmShare({ preset, schedule: spec.schedule, step });
        expect(text).toMatch(new RegExp(`^mm\\.1\\.${preset}\\.[A-Za-z0-9_-]*\\.${step}$`));
        const back = decodeShare(text);
        expect(back).toEqual({ ok: true, model: 'mm', preset, schedule: spec.schedule, step });
      }
    }
  });

  it('encodes each choice as its index among the enabled choices', () => {
    expect(encodeMmShare({ preset: 'translate', schedule: MM_PRESETS.translate.schedule, step: 2 })).toBe('mm.1.translate.AA.2');
    // dma-without-pin: three writes, two driver calls, the device, then compaction of pfn 7.
    const text = encodeMmShare({ preset: 'dma-without-pin', schedule: MM_PRESETS['dma-without-pin'].schedule, step: 8 });
    expect(text.split('.')[3]).toHaveLength(MM_PRESETS['dma-without-pin'].schedule.length);
  });

  it('carries a learner’s own choices', () => {
    const spec = MM_PRESETS['dma-without-pin'];
    // After the three writes, let the driver run and then pick the last enabled choice at each step.
    let s = mmModel.initialState(spec.params, 1);
    const schedule = [];
    for (let i = 0; i < 8; i++) {
      const c = mmModel.enabled(s).at(-1)!;
      schedule.push(c);
      s = mmModel.step(s, c);
    }
    const back = decodeShare(encodeMmShare({ preset: 'dma-without-pin', schedule, step: 5 }));
    expect(back).toEqual({ ok: true, model: 'mm', preset: 'dma-without-pin', schedule, step: 5 });
  });

  it('refuses what it cannot encode', () => {
    expect(() => encodeMmShare({ preset: 'nope', schedule: [], step: 0 })).toThrow(/unknown memory simulation preset/);
    expect(() => encodeMmShare({ preset: 'translate', schedule: [], step: 1 })).toThrow(/step/);
    expect(() => encodeMmShare({ preset: 'translate', schedule: [{ actor: 'device' }], step: 0 })).toThrow(/not possible/);
  });

  const cases: [string, string, string, RegExp][] = [
    ['unknown preset', 'mm.1.no-such.AA.0', 'invalid-params', /“no-such”, which this site does not have/],
    ['prototype key', 'mm.1.constructor..0', 'invalid-params', /does not have/],
    ['bad preset name', 'mm.1.Bad_Name..0', 'malformed', /name of the memory simulation preset/],
    ['older version', 'mm.0.translate.AA.2', 'outdated', /older version \(0\) of the memory simulation/],
    ['newer version', 'mm.2.translate.AA.2', 'outdated', /newer version \(2\)/],
    ['too few parts', 'mm.1.translate.AA', 'malformed', /5 parts.*has 4/],
    ['bad choice char', 'mm.1.translate.A*.1', 'malformed', /step 2 of the schedule is “\*”/],
    ['choice out of range', 'mm.1.translate.AB.1', 'replay', /at step 2 there is 1 possible choice, and the link picks number 2/],
    ['step beyond schedule', 'mm.1.translate.AA.3', 'malformed', /step 3.*only 2 steps/],
    ['step not a number', 'mm.1.translate.AA.x', 'malformed', /not a number/],
  ];
  for (const [name, text, kind, message] of cases) {
    it(`refuses a link: ${name}`, () => {
      const r = decodeShare(text);
      expect(r).toMatchObject({ ok: false, kind });
      if (!r.ok) expect(r.error).toMatch(message);
    });
  }
});
