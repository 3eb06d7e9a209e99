/**
 * The UIO widget's definition rendered as the server renders it (`widgetHtml`), for every
 * preset: the parts, figures and host facts the element, the tests and the CSS read, and
 * scene sizes that stay fixed for a whole run.
 */
import { describe, expect, it } from 'vitest';
import { UIO_PRESETS, replay, uioModel } from '../../../sims/uio/index.ts';
import { widgetCtx } from '../../player/definition.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { uioWidget } from './definition.ts';
import { uioScenes } from './scenes.ts';

describe('UIO widget definition', () => {
  for (const key of Object.keys(UIO_PRESETS)) {
    it(`renders preset ${key} on the server with every part, figure and fact`, async () => {
      const html = await widgetHtml(uioWidget, { preset: key, uid: `uio-${key}` });
      expect(html).toContain(`<uio-sim id="uio-${key}"`);
      expect(html).toContain('data-model="uio"');
      const vfio = UIO_PRESETS[key].params.iommu === 'vfio';
      expect(html).toContain(`data-iommu="${vfio ? 'vfio' : 'off'}"`);
      expect(html).toContain('data-stray="0"');
      expect(html).toContain('data-faults="0"');
      for (const part of ['uiotables', 'status', 'svg-device', 'svg-memory', 'tabs', 'copylink']) expect(html).toContain(`data-part="${part}"`);
      expect(html.includes('blocked by the IOMMU')).toBe(vfio);
    });

    it(`keeps every scene's size for the whole run of ${key}`, () => {
      const p = UIO_PRESETS[key];
      const states = replay(uioModel, p.params, 1, p.schedule);
      for (const name of Object.keys(uioScenes.scenes)) {
        const sizes = new Set(states.map((_, i) => {
          const s = uioScenes.scenes[name](widgetCtx(key, p.params, states, i, undefined, 'x'), undefined);
          return `${s.width}x${s.height}`;
        }));
        expect([...sizes], name).toHaveLength(1);
      }
    });
  }

  it('reflects the interrupt count, stray frames and IOMMU faults as host facts', () => {
    const at = (key: string) => {
      const p = UIO_PRESETS[key];
      const states = replay(uioModel, p.params, 1, p.schedule);
      return uioWidget.facts!(widgetCtx(key, p.params, states, states.length - 1, undefined, 'x'));
    };
    expect(Number(at('wrong-bus-address-no-iommu').stray)).toBeGreaterThan(0);
    const vfio = at('wrong-iova-vfio');
    expect(vfio).toMatchObject({ stray: '0', count: '' });
    expect(Number(vfio.faults)).toBeGreaterThan(0);
    expect(Number(at('uio-read-blocks').count)).toBeGreaterThan(0);
  });
});
