// @vitest-environment jsdom
/**
 * The Lab's lesson players (players.ts): the preset a run is shown under, a new player opened
 * at the asked step, and the same player `load`ing the next run of its cell (its step kept
 * while the new run has it, else the end).
 */
import { expect, it } from 'vitest';
import { UIO_PRESETS } from '../../sims/uio/index.ts';
import { sameData } from '../player/definition.ts';
import { uioWidget } from '../widgets/uio/definition.ts';
import { mountPlayer, presetFor, widgetOf } from './players.ts';

const keys = Object.keys(UIO_PRESETS);

it('a run is shown under the preset with its parameters (the one it names first), else the first preset', () => {
  const k = keys[2];
  const params = UIO_PRESETS[k].params;
  const first = keys.find((x) => sameData(UIO_PRESETS[x].params, params))!;
  expect(presetFor(uioWidget, { params, schedule: [], seed: 1 })).toBe(first);
  expect(presetFor(uioWidget, { params, schedule: [], seed: 1, preset: k })).toBe(k);
  // A named preset whose parameters differ is not taken.
  const other = keys.find((x) => !sameData(UIO_PRESETS[x].params, params))!;
  expect(presetFor(uioWidget, { params, schedule: [], seed: 1, preset: other })).toBe(first);
  expect(presetFor(uioWidget, { params: { ...params, mine: 1 }, schedule: [], seed: 1 })).toBe(keys[0]);
  expect(widgetOf('no-such-model')).toBeNull();
});

it('mounts the player at a step, then the same player loads the next run: same step while valid, else the end', async () => {
  const slot = document.createElement('div');
  document.body.replaceChildren(slot);
  const [k, p] = Object.entries(UIO_PRESETS).find(([, x]) => (x.schedule?.length ?? 0) > 6)!;
  const schedule = [...(p.schedule ?? [])];
  const describe = (preset: string | null) => `preset ${preset ?? 'none'}`;
  const el = await mountPlayer(slot, 'uio', { params: p.params, schedule, seed: 1, preset: k }, { at: 4, title: 'The run “run”', description: describe, headingLevel: 3 });
  expect(el.localName).toBe('uio-sim');
  expect(el.parentElement).toBe(slot);
  expect(el.dataset.preset).toBe(k);
  expect(el.dataset.step).toBe('4');
  expect(el.dataset.steps).toBe(String(schedule.length + 1));
  expect(el.querySelector('[data-part="title"]')!.textContent).toBe('The run “run”');
  expect(el.querySelector('[data-part="desc"]')!.textContent).toBe(`preset ${k}`);

  // The cell ran again with a shorter run that still has step 4: the same element, at step 4.
  const next = document.createElement('div');
  document.body.replaceChildren(next);
  const again = await mountPlayer(next, 'uio', { params: p.params, schedule: schedule.slice(0, 5), seed: 1 }, { at: 5, title: 't', description: describe, headingLevel: 3, reuse: el });
  expect(again).toBe(el);
  expect(el.parentElement).toBe(next);
  expect(el.dataset.step).toBe('4');
  expect(el.dataset.steps).toBe('6');

  // A run too short for step 4: the end of the new run.
  await mountPlayer(next, 'uio', { params: p.params, schedule: schedule.slice(0, 2), seed: 1 }, { at: 2, title: 't', description: describe, headingLevel: 3, reuse: el });
  expect(el.dataset.step).toBe('2');
  // An answer opens its new run where the property fails, whatever the step shown.
  await mountPlayer(next, 'uio', { params: p.params, schedule, seed: 1 }, { at: 1, title: 't', description: describe, headingLevel: 3, reuse: el, always: true });
  expect(el.dataset.step).toBe('1');

  // A run that does not replay: a sentence, and the player keeps what it showed.
  await expect(mountPlayer(next, 'uio', { params: { nonsense: true }, schedule: [], seed: 1 }, { at: 0, title: 't', description: describe, headingLevel: 3, reuse: el })).rejects.toThrow(/This run cannot be shown/);
  expect(el.dataset.step).toBe('1');
  await expect(mountPlayer(next, 'no-such-model', { params: {}, schedule: [], seed: 1 }, { at: 0, title: 't', description: describe, headingLevel: 3 })).rejects.toThrow(/has no lesson player/);
});
