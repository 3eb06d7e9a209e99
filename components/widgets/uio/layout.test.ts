import { describe, expect, it } from 'vitest';
import { uioModel, UIO_PRESETS } from '../../../sims/uio/index.ts';
import { sceneToSvg, type Scene } from '../../scene/scene.ts';
import { UIO_SCENE_W, arrowHead, deviceScene, frameY, framesSummary, memoryScene, sCurve } from './layout.ts';
import { presetRunner, shapeByKey as byKey } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(uioModel, UIO_PRESETS);
const texts = (scene: Scene): string[] => scene.shapes.flatMap((s) => (s.kind === 'text' ? [s.text] : []));

describe('uio diagrams layout', () => {
  // Sizes, keys and finite numbers of every scene at every step: tests/unit/widget-contract.test.ts.
  it('draws every scene at the one scene width', () => {
    for (const key of Object.keys(UIO_PRESETS)) {
      const states = run(key);
      states.forEach((s, i) => {
        for (const scene of [deviceScene(s, i ? states[i - 1] : null), memoryScene(s)]) expect(scene.width).toBe(UIO_SCENE_W);
      });
    }
  });

  it('draws the registers, the count, the files and the maps with their mmap offsets', () => {
    const s = run('mmap-offsets');
    const t = texts(deviceScene(s[s.length - 1]));
    expect(t).toContain('DMA_ADDR');
    expect(t).toContain('IRQ_ENABLE');
    expect(t.some((x) => x.startsWith('map3 "legacy" · UIO_MEM_DMA_COHERENT (5)'))).toBe(true);
    expect(t).toContain('addr 0xffff888000003000 · offset 0x3000');
    expect(t.filter((x) => x === 'mapped by A')).toHaveLength(4);
  });

  it('shows A asleep in read() with zZ, then returning the count', () => {
    const s = run('uio-read-blocks');
    const asleep = deviceScene(s[9]);
    expect(byKey(asleep, 'text:proc-a-zz')).toBeDefined();
    expect(byKey(asleep, 'rect:proc-a')!.cls).toContain('uio-asleep');
    expect(byKey(asleep, 'text:count-value')).toMatchObject({ text: '0' });
    const back = deviceScene(s[11]);
    expect(byKey(back, 'text:proc-a-zz')).toBeUndefined();
    expect(byKey(back, 'text:proc-a-call')).toMatchObject({ text: 'read → 1' });
    expect(byKey(back, 'text:count-value')).toMatchObject({ text: '1' });
  });

  it('marks a changed register and the pending line', () => {
    const s = run('irqcontrol-reenable');
    expect(byKey(deviceScene(s[12], s[11]), 'rect:reg-STATUS')!.cls).toContain('uio-changed');
    expect(byKey(deviceScene(s[13], s[12]), 'rect:irq')!.cls).toContain('uio-irq-pending');
    expect(byKey(deviceScene(s[14], s[13]), 'text:irq-sub')).toMatchObject({ text: '1 pending' });
  });

  it('draws a stray write into B’s frame red, labelled, and keeps the mark afterwards', () => {
    const s = run('wrong-bus-address-no-iommu');
    const m = memoryScene(s[13]);
    expect(byKey(m, 'path:dma-0-0')!.cls).toContain('uio-dma-stray');
    expect(byKey(m, 'path:dma-0-0')!.cls).toContain('uio-now');
    expect(byKey(m, 'rect:frame-2')!.cls).toContain('uio-stray');
    expect(texts(m)).toEqual(expect.arrayContaining(["B's page", 'overwritten']));
    const later = memoryScene(s[16]);
    expect(byKey(later, 'path:dma-0-0')!.cls).toContain('uio-old');
    expect(byKey(later, 'text:frame-2-stray')).toMatchObject({ text: 'overwritten, step 13' });
  });

  it('draws the IOMMU with its mappings, a blocked arrow on a fault, and a write through a mapping', () => {
    const s = run('wrong-iova-vfio');
    const fault = memoryScene(s[9]);
    expect(byKey(fault, 'rect:iommu')!.cls).toContain('uio-iommu');
    expect(texts(fault)).toEqual(expect.arrayContaining(['0x100000→4', '0x101000→5', 'IOMMU fault:', 'nothing written']));
    expect(byKey(fault, 'path:dma-0-bar')).toBeDefined();
    expect(byKey(fault, 'path:dma-0-0')).toBeUndefined();
    expect(byKey(fault, 'rect:frame-2')!.cls).not.toContain('uio-stray');
    const ok = memoryScene(s[14]);
    expect(byKey(ok, 'path:dma-1-0')!.cls).toContain('uio-dma-ok');
    expect(byKey(ok, 'rect:iommu-m-1048576')!.cls).toContain('uio-used');
    // The mapping rows are painted over the arrows that pass through them.
    const order = ok.shapes.map((x) => x.key);
    expect(order.indexOf('rect:iommu-m-1048576')).toBeGreaterThan(order.indexOf('path:dma-1-0'));
  });

  it('summarises frames by owner for the description', () => {
    const s = run('wrong-bus-address-no-iommu');
    expect(framesSummary(s[16])).toMatch(/^pfn 0-1 kernel; pfn 2 process B \(B page 2\); pfn 3 free; /);
    expect(memoryScene(s[16]).desc).toContain("step 13, 16 bytes into pfn 2 (0x2000), process B, not the DMA buffer");
  });

  it('has geometry helpers that place rows and arrows', () => {
    expect(frameY(0, 16)).toBe(37);
    expect(frameY(2, 16)).toBe(73);
    expect(sCurve(0, 0, 10, 20)).toBe('M0,0C5,0 5,20 10,20');
    expect(arrowHead(10, 10, 5)).toBe('M10,10L3,5L3,15Z');
  });

  it('renders to SVG markup on the server with the same keys', () => {
    const s = run('uio-read-blocks');
    const svg = sceneToSvg(deviceScene(s[0]));
    expect(svg).toContain('data-key="text:count-value"');
    expect(svg).not.toMatch(/undefined|NaN/);
  });
});
