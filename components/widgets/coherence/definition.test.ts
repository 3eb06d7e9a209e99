/**
 * The coherence widget's definition rendered as the server renders it (`widgetHtml`), for
 * every preset: the parts, figures and host facts the element, the tests and the CSS read,
 * and scene sizes that stay fixed for a whole run.
 */
import { describe, expect, it } from 'vitest';
import { COHERENCE_PRESETS, coherenceModel, replay } from '../../../sims/dma/index.ts';
import { widgetCtx } from '../../player/definition.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { coherenceWidget } from './definition.ts';
import { cohScenes } from './scenes.ts';

describe('coherence widget definition', () => {
  for (const key of Object.keys(COHERENCE_PRESETS)) {
    it(`renders preset ${key} on the server with every part, figure and fact`, async () => {
      const html = await widgetHtml(coherenceWidget, { preset: key, uid: `coh-${key}` });
      expect(html).toContain(`<coherence-sim id="coh-${key}"`);
      expect(html).toContain('data-model="dma-coherence"');
      expect(html).toMatch(/data-platform="(x86|arm64|arm926|swiotlb)"/);
      expect(html).toContain('data-findings="0"');
      expect(html).toContain('data-verdict="pending"');
      for (const part of ['platform', 'program', 'cohtables', 'verdict', 'svg-memory', 'svg-owner', 'svg-data', 'tabs', 'copylink']) {
        expect(html).toContain(`data-part="${part}"`);
      }
      expect(html).toContain(`id="coh-${key}-prog-title"`);
    });

    it(`keeps every scene's size for the whole run of ${key}`, () => {
      const p = COHERENCE_PRESETS[key];
      const states = replay(coherenceModel, p.params, 1, p.schedule);
      const frame = cohScenes.frame!(states);
      for (const name of Object.keys(cohScenes.scenes)) {
        const sizes = new Set(states.map((_, i) => {
          const s = cohScenes.scenes[name](widgetCtx(key, p.params, states, i, undefined, 'x'), frame);
          return `${s.width}x${s.height}`;
        }));
        expect([...sizes], name).toHaveLength(1);
      }
    });
  }

  it('says the data are right only once nothing can happen next', async () => {
    const p = COHERENCE_PRESETS['rx-correct'];
    const states = replay(coherenceModel, p.params, 1, p.schedule);
    const verdict = coherenceWidget.parts.find((x) => x.name === 'verdict')!;
    const last = verdict.html(widgetCtx('rx-correct', p.params, states, states.length - 1, undefined, 'x'));
    expect(last).toContain('coh-verdict-label">Right data<');
    const before = verdict.html(widgetCtx('rx-correct', p.params, states, states.length - 2, undefined, 'x'));
    expect(before).toContain('coh-verdict-label">Right so far<');
  });

  it('fails the build for an unknown preset, naming the known ones', async () => {
    await expect(widgetHtml(coherenceWidget, { preset: 'nope', uid: 'x' })).rejects.toThrow(/rx-no-sync-arm/);
  });
});
