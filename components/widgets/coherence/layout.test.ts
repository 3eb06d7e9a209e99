import { describe, expect, it } from 'vitest';
import { coherenceModel, COHERENCE_PRESETS } from '../../../sims/dma/index.ts';
import { COH_W, cohFrame, dataScene, memoryScene, ownerScene } from './layout.ts';
import { sceneToSvg, type RectShape } from '../../scene/scene.ts';
import { presetRunner, shapeByKey as byKey } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(coherenceModel, COHERENCE_PRESETS);

describe('coherence diagrams layout', () => {
  // Sizes, keys and edges of every scene at every step: tests/unit/widget-contract.test.ts.
  it('draws every scene at the one scene width, each saying which step it shows', () => {
    for (const key of Object.keys(COHERENCE_PRESETS)) {
      const states = run(key);
      const f = cohFrame(states[0].params);
      states.forEach((s, i) => {
        const prev = i > 0 ? states[i - 1] : null;
        for (const scene of [memoryScene(s, prev, f), ownerScene(s, prev, f), dataScene(s, f)]) {
          expect(scene.width).toBe(COH_W);
          expect(scene.desc).toMatch(new RegExp(`^Step ${i}\\b`));
        }
      });
    }
  });

  it('marks stale cache bytes and dirty lines', () => {
    const states = run('rx-no-sync-arm');
    const f = cohFrame(states[0].params);
    const m1 = memoryScene(states[1], states[0], f);
    expect(byKey(m1, 'rect-badge-4')!.cls).toContain('coh-badge-dirty');
    expect(byKey(m1, 'rect-cache-64')!.cls).toContain('coh-new');
    const m6 = memoryScene(states[6], states[5], f);
    expect(byKey(m6, 'rect-cache-64')!.cls).toContain('coh-differs');
    expect(byKey(m6, 'rect-ram-80')!.cls).toContain('coh-new');
    expect(byKey(m6, 'rect-ram-64')).toBeUndefined();
    expect(byKey(m6, 'path-ram-4-0')!.cls).not.toContain('coh-new');
    expect(byKey(m6, 'rect-slot-empty-0')).toBeDefined();
  });

  it('labels uncached lines and swiotlb slots', () => {
    const coh = run('coherent-alloc');
    const f = cohFrame(coh[0].params);
    const m = memoryScene(coh[2], coh[1], f);
    expect(byKey(m, 'text-badge-0')).toMatchObject({ text: 'uncached' });
    expect(byKey(m, 'text-band-pool')).toBeDefined();
    const sw = run('fails-with-swiotlb');
    const fs = cohFrame(sw[0].params);
    const ms = memoryScene(sw[3], sw[2], fs);
    expect(byKey(ms, 'text-band-tlb')).toMatchObject({ text: 'swiotlb bounce slots: 0x20 ← 0x40, 0x30 ← 0x50' });
    expect(byKey(ms, 'text-band-reach')).toBeDefined();
    expect(byKey(memoryScene(sw[0], null, fs), 'text-band-tlb')).toMatchObject({ text: 'swiotlb bounce slots: all free' });
  });

  it('moves the ownership token with map and unmap', () => {
    const states = run('rx-no-sync-arm');
    const f = cohFrame(states[0].params);
    expect(byKey(ownerScene(states[1], states[0], f), 'text-nomap')).toBeDefined();
    const atDev = byKey(ownerScene(states[2], states[1], f), 'rect-token-0') as RectShape;
    const back = byKey(ownerScene(states[9], states[8], f), 'rect-token-0') as RectShape;
    expect(atDev.cls).toContain('coh-own-dev');
    expect(back.cls).toContain('coh-token-off');
    expect(atDev.x).toBeGreaterThan(back.x);
    const both = byKey(ownerScene(run('coherent-alloc')[1], null, f), 'rect-token-0') as RectShape;
    expect(both.cls).toContain('coh-own-both');
    expect(both.w).toBeGreaterThan(atDev.w);
  });

  it('shows the stale read and the old bytes sent', () => {
    const rx = run('rx-no-sync-arm');
    const f = cohFrame(rx[0].params);
    const d = dataScene(rx[rx.length - 1], f);
    expect(d.shapes.some((s) => s.kind === 'text' && /STALE/.test(s.text))).toBe(true);
    expect(d.shapes.filter((s) => s.kind === 'rect' && s.cls.includes('coh-bad'))).toHaveLength(32);
    const tx = run('tx-no-clean-arm');
    const dt = dataScene(tx[tx.length - 1], cohFrame(tx[0].params));
    expect(dt.shapes.some((s) => s.kind === 'rect' && s.cls.includes('coh-bad'))).toBe(true);
    expect(dt.desc).toContain('old bytes');
  });

  it('server-renders a scene as SVG markup', () => {
    const states = run('rx-correct');
    const svg = sceneToSvg(memoryScene(states[0], null, cohFrame(states[0].params)));
    expect(svg).toContain('data-key="path-ram-0-0"');
    expect(svg).toContain('data-key="text-ram-0"');
    expect(svg).not.toContain('undefined');
  });
});
