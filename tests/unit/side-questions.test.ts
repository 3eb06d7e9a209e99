/** The side-questions lesson's pieces that live outside its widgets: the MmSim preset it adds. */
import { expect, it } from 'vitest';
import { replay } from '../../sims/core/model.ts';
import { mmModel } from '../../sims/mm/index.ts';
import { MM_PRESETS } from '../../sims/mm/presets.ts';

it("mm preset 'first-touch': a demand-zero fault on each page's first write, none on the second pass", () => {
  const p = MM_PRESETS['first-touch'];
  const states = replay(mmModel, p.params, 0, p.schedule);
  const fns = states.slice(1).map((s) => mmModel.event(s)?.source?.fn ?? null);
  expect(fns).toEqual(['do_anonymous_page', 'do_anonymous_page', 'do_anonymous_page', 'do_anonymous_page', null, null, null, null]);
  expect(mmModel.event(states[4])!.narration).toContain('allocates zeroed frame pfn 9');
});
