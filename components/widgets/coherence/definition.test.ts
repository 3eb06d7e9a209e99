/**
 * The coherence widget's definition rendered as the server renders it (`widgetHtml`), for
 * every preset: the host facts of the first state and the program's heading. (Every part,
 * figure and fact, and the scenes' sizes, of every widget: tests/unit/widget-contract.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { COHERENCE_PRESETS } from '../../../sims/dma/index.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { coherenceWidget } from './definition.ts';
import { presetCtx } from '../../../tests/unit/helpers/widget-test.ts';

describe('coherence widget definition', () => {
  for (const key of Object.keys(COHERENCE_PRESETS)) {
    it(`renders preset ${key} on the server: its platform, no findings yet, the verdict pending`, async () => {
      const html = await widgetHtml(coherenceWidget, { preset: key, uid: `coh-${key}` });
      expect(html).toMatch(/data-platform="(x86|arm64|arm926|swiotlb)"/);
      expect(html).toContain('data-findings="0"');
      expect(html).toContain('data-verdict="pending"');
      expect(html).toContain(`id="coh-${key}-prog-title"`);
    });
  }

  it('says the data are right only once nothing can happen next', async () => {
    const verdict = coherenceWidget.parts.find((x) => x.name === 'verdict')!;
    const last = verdict.html(presetCtx(coherenceWidget, 'rx-correct', -1));
    expect(last).toContain('coh-verdict-label">Right data<');
    const before = verdict.html(presetCtx(coherenceWidget, 'rx-correct', -2));
    expect(before).toContain('coh-verdict-label">Right so far<');
  });

  it('fails the build for an unknown preset, naming the known ones', async () => {
    await expect(widgetHtml(coherenceWidget, { preset: 'nope', uid: 'x' })).rejects.toThrow(/rx-no-sync-arm/);
  });
});
