/**
 * The UIO widget's definition rendered as the server renders it (`widgetHtml`), for every
 * preset: the host facts of the first state and the memory legend. (Every part, figure and
 * fact, and the scenes' sizes, of every widget: tests/unit/widget-contract.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { UIO_PRESETS } from '../../../sims/uio/index.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { uioWidget } from './definition.ts';
import { presetCtx } from '../../../tests/unit/helpers/widget-test.ts';

describe('UIO widget definition', () => {
  for (const key of Object.keys(UIO_PRESETS)) {
    it(`renders preset ${key} on the server: no stray writes or faults yet, the IOMMU in the legend only with VFIO`, async () => {
      const html = await widgetHtml(uioWidget, { preset: key, uid: `uio-${key}` });
      const vfio = UIO_PRESETS[key].params.iommu === 'vfio';
      expect(html).toContain(`data-iommu="${vfio ? 'vfio' : 'off'}"`);
      expect(html).toContain('data-stray="0"');
      expect(html).toContain('data-faults="0"');
      expect(html.includes('blocked by the IOMMU')).toBe(vfio);
    });
  }

  it('reflects the interrupt count, stray frames and IOMMU faults as host facts', () => {
    const at = (key: string) => uioWidget.facts!(presetCtx(uioWidget, key, -1));
    expect(Number(at('wrong-bus-address-no-iommu').stray)).toBeGreaterThan(0);
    const vfio = at('wrong-iova-vfio');
    expect(vfio).toMatchObject({ stray: '0', count: '' });
    expect(Number(vfio.faults)).toBeGreaterThan(0);
    expect(Number(at('uio-read-blocks').count)).toBeGreaterThan(0);
  });
});
