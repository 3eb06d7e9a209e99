// @vitest-environment jsdom
/**
 * The generic element's `load` (components/player/widget-element.ts), on `<uio-sim>` (a widget
 * with nothing of its own), with parameters (what the Lab shows a cell's run with): the
 * model checks them, the timeline, step, heading and run parts follow, a rejected run
 * changes nothing, and a run whose parameters are not the preset's offers no preset link.
 */
import { expect, it } from 'vitest';
import { UIO_PRESETS } from '../../../sims/uio/index.ts';
import { sameData } from '../../player/definition.ts';
import type { WidgetElement } from '../../player/widget-element.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { uioWidget } from './definition.ts';

it('load takes parameters, seed, heading; rejects bad ones without a change; no preset link for other parameters', async () => {
  const key = 'uio-read-blocks';
  document.body.innerHTML = await widgetHtml(uioWidget, { preset: key, uid: 'u' });
  await import('./element.ts');
  const host = document.querySelector('uio-sim') as WidgetElement;
  expect(host.dataset.ready).toBe('true');
  // Another preset's run, with its own parameters, shown in this preset's player.
  const [otherKey, other] = Object.entries(UIO_PRESETS).find(([, p]) => !sameData(p.params, UIO_PRESETS[key].params))!;
  expect(otherKey).not.toBe(key);
  const schedule = other.schedule ?? [];
  expect(schedule.length).toBeGreaterThan(2);
  expect(host.load({ params: other.params, schedule, step: 2, seed: 1, title: 'A run of my own', description: 'From a cell.' })).toBeNull();
  expect(host.dataset.step).toBe('2');
  expect(host.dataset.steps).toBe(String(schedule.length + 1));
  expect(host.dataset.loaded).toBe('true');
  expect(host.querySelector('[data-part="title"]')!.textContent).toBe('A run of my own');
  expect(host.querySelector('[data-part="desc"]')!.textContent).toBe('From a cell.');
  // The narration is the other run's at step 2.
  const { replay, uioModel } = await import('../../../sims/uio/index.ts');
  const states = replay(uioModel, other.params, 1, schedule);
  expect(host.querySelector('[data-part="narration"]')!.textContent).toBe(uioWidget.narration(states[2]));

  // Parameters the model rejects, a step outside the run: a sentence, and nothing changes.
  const bad = host.load({ params: { nonsense: true }, schedule: [], step: 0 });
  expect(bad).toMatch(/^This run cannot be shown: /);
  expect(host.load({ params: other.params, schedule, step: schedule.length + 1 })).toMatch(/outside its/);
  expect(host.load({ params: other.params, schedule, step: 0, seed: Number.NaN })).toMatch(/seed must be a number/);
  expect(host.dataset.step).toBe('2');
  expect(host.dataset.steps).toBe(String(schedule.length + 1));

  // "Copy link to this step": these parameters are not the preset's, so no link (not a wrong one).
  host.querySelector<HTMLButtonElement>('[data-part="copylink"]')!.click();
  const status = host.querySelector('[data-part="linkstatus"]')!;
  await expect.poll(() => status.textContent).toMatch(/not a preset's, so it has no link/);
  expect(host.querySelector<HTMLInputElement>('[data-part="linkinput"]')!.value).toBe('');

  // Back to the preset's parameters (the default): its link is written again.
  expect(host.load({ schedule: UIO_PRESETS[key].schedule ?? [], step: 1 })).toBeNull();
  host.querySelector<HTMLButtonElement>('[data-part="copylink"]')!.click();
  await expect.poll(() => host.querySelector<HTMLInputElement>('[data-part="linkinput"]')!.value).toMatch(new RegExp(`#sim=uio\\.1\\.${key}\\.`));
});
