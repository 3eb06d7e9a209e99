// @vitest-environment jsdom
/**
 * `<uio-sim>` upgrades the server markup: the table view, which the server leaves empty (a
 * lazy part: the drawings show the same state), holds the first state's tables once the
 * element is defined, and follows the steps.
 */
import { expect, it } from 'vitest';
import { UIO_PRESETS, replay, uioModel } from '../../../sims/uio/index.ts';
import { widgetCtx } from '../../player/definition.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { uioWidget } from './definition.ts';

it('fills the lazy table view when it upgrades, and re-renders it on a step', async () => {
  const key = 'wrong-bus-address-no-iommu';
  document.body.innerHTML = await widgetHtml(uioWidget, { preset: key, uid: 'u' });
  const tables = document.querySelector('[data-part="uiotables"]')!;
  expect(tables.innerHTML).toBe('');
  await import('./element.ts');
  const host = document.querySelector<HTMLElement>('uio-sim')!;
  expect(host.dataset.ready).toBe('true');
  const p = UIO_PRESETS[key];
  const states = replay(uioModel, p.params, 1, p.schedule);
  const part = uioWidget.parts.find((x) => x.name === 'uiotables')!;
  const box = document.createElement('div');
  box.innerHTML = part.html(widgetCtx(key, p.params, states, 0, undefined, 'u'));
  expect(tables.innerHTML).toBe(box.innerHTML);
  expect(tables.textContent).toContain('registers');
  host.querySelector<HTMLButtonElement>('[data-part="forward"]')!.click();
  expect(host.dataset.step).toBe('1');
  box.innerHTML = part.html(widgetCtx(key, p.params, states, 1, undefined, 'u'));
  expect(tables.innerHTML).toBe(box.innerHTML);
});
