import { describe, expect, it } from 'vitest';
import { dmaModel } from '../../../sims/dma/index.ts';
import { DMA_PRESETS } from '../../../sims/dma/index.ts';
import { deviceScene, iommuScene, pagesScene, physPos, placeFrames, sgFrame } from './layout.ts';
import { SCENE_W, sceneToSvg, type RectShape, type Scene } from '../../scene/scene.ts';
import { presetRunner, shapeByKey as byKey } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(dmaModel, DMA_PRESETS);
const rect = (scene: Scene, key: string): RectShape => {
  const s = byKey(scene, key);
  if (!s || s.kind !== 'rect') throw new Error(`no rect ${key}`);
  return s;
};
const keysWith = (scene: Scene, prefix: string): string[] => scene.shapes.filter((s) => s.key.startsWith(prefix)).map((s) => s.key);

describe('frame placement', () => {
  it('makes consecutive frames touch and puts gaps between runs', () => {
    const pl = placeFrames([0x10, 0x11, 0x20], 100, 10, 40);
    expect(pl.size).toBe(30);
    expect([...pl.pos.entries()]).toEqual([
      [0x10, 0],
      [0x11, 30],
      [0x20, 70],
    ]);
    expect(pl.length).toBe(100);
    expect(placeFrames([1, 2], 1000, 10, 40).size).toBe(40);
  });

  it('maps physical bytes into the placement, page-aligned ends to the frame before', () => {
    const pl = placeFrames([0x10, 0x11, 0x20], 100, 10, 40);
    expect(physPos(pl, 0x10 * 4096 + 2048, 4096)).toBe(15);
    expect(physPos(pl, 0x12 * 4096, 4096, true)).toBe(60);
    expect(physPos(pl, 0x12 * 4096, 4096)).toBeNull();
    expect(physPos(pl, 0x21 * 4096, 4096, true)).toBe(100);
  });
});

describe('sg diagrams layout', () => {
  // Sizes, keys, edges and finite numbers of every scene at every step: tests/unit/widget-contract.test.ts.
  it('draws every scene at the one scene width, paths of moves, lines and curves only', () => {
    for (const key of Object.keys(DMA_PRESETS)) {
      const states = run(key);
      const frame = sgFrame(states);
      for (const make of [pagesScene, iommuScene, deviceScene]) {
        for (const s of states) {
          const scene = make(s, frame);
          expect(scene.width, key).toBe(SCENE_W);
          for (const sh of scene.shapes) if (sh.kind === 'path') expect(sh.d, `${key} ${sh.key}`).toMatch(/^M[\d.,\-eLC ]+$/);
        }
      }
    }
  });

  it('knows the largest IOVA allocation and descriptor list of a run', () => {
    expect(sgFrame(run('map-iommu'))).toMatchObject({ maxGranules: 4, maxDescs: 4 });
    expect(sgFrame(run('max-segment'))).toMatchObject({ maxGranules: 8, maxDescs: 4 });
    expect(sgFrame(run('map-direct'))).toMatchObject({ maxGranules: 0, maxDescs: 4 });
    expect(sgFrame(run('chunked-transfer')).maxDescs).toBe(3);
  });

  it('draws a page, a line to its frame, and the sg entries under the frames they cover', () => {
    const states = run('sg-build');
    const frame = sgFrame(states);
    const built = pagesScene(states[7], frame); // the table is built: 3 entries
    expect(keysWith(built, 'path-pagelink-')).toHaveLength(6);
    expect(keysWith(built, 'rect-frame-')).toHaveLength(6);
    expect(keysWith(built, 'rect-entry-')).toEqual(['rect-entry-0', 'rect-entry-1', 'rect-entry-2']);
    // Entry 0 starts 0x234 into frame 0x1a3 and covers the rest of three touching frames.
    const f = rect(built, 'rect-frame-419');
    const e0 = rect(built, 'rect-entry-0');
    expect(e0.x).toBeCloseTo(f.x + (0x234 / 4096) * f.w, 1);
    expect(e0.x + e0.w).toBeCloseTo(f.x + 3 * f.w, 1);
    expect(e0.entry).toBe(0);
    expect(e0.color).toBe('var(--w0, #2563eb)');
    // Before the loop: no entries, no lines in an entry's colour.
    const s0 = pagesScene(states[0], frame);
    expect(keysWith(s0, 'rect-entry-')).toEqual([]);
    expect(s0.shapes.some((s) => s.cls.includes('sg-entry-stroke'))).toBe(false);
    // Written bytes appear as the device carries out descriptors.
    expect(keysWith(pagesScene(states[16], frame), 'rect-written-')).toEqual([]);
    expect(keysWith(pagesScene(states[17], frame), 'rect-written-')).toEqual(['rect-written-0-0-0', 'rect-written-0-0-1', 'rect-written-0-0-2']);
  });

  it('draws one IOMMU line per mapped granule and grows DMA segment 0 as __finalise_sg merges', () => {
    const states = run('map-iommu');
    const frame = sgFrame(states);
    expect(keysWith(iommuScene(states[5], frame), 'path-xlate-')).toEqual([]);
    expect(keysWith(iommuScene(states[8], frame), 'path-xlate-')).toHaveLength(2);
    expect(keysWith(iommuScene(states[10], frame), 'path-xlate-')).toHaveLength(4);
    const heights = [11, 12, 13, 14].map((i) => rect(iommuScene(states[i], frame), 'rect-seg-0').h);
    expect(heights[0]).toBeLessThan(heights[1]);
    expect(heights[1]).toBeLessThan(heights[2]);
    expect(heights[2]).toBeLessThan(heights[3]);
    const merged = iommuScene(states[15], frame);
    expect(keysWith(merged, 'rect-seg-')).toEqual(['rect-seg-0']);
    // The segment starts 0x234 into the first granule.
    const g0 = rect(merged, 'rect-granule-0');
    expect(rect(merged, 'rect-seg-0').y).toBeCloseTo(g0.y + (0x234 / 4096) * g0.h, 1);
    expect(merged.desc).toContain('DMA segments: segment 0 at IOVA 0x100234, 12724 bytes.');
    // After unmap: no translations, no segments, a note.
    const freed = iommuScene(states[26], frame);
    expect(keysWith(freed, 'path-xlate-')).toEqual([]);
    expect(keysWith(freed, 'rect-seg-')).toEqual([]);
    expect(byKey(freed, 'text-iova-note')).toMatchObject({ text: 'IOVA range unmapped and freed' });
  });

  it('marks the frames the unmap bug left unsynced, in both drawings', () => {
    const states = run('unmap-bug');
    const frame = sgFrame(states);
    const end = states[states.length - 1];
    expect(rect(pagesScene(end, frame), 'rect-frame-960').cls).toContain('sg-stale');
    expect(rect(pagesScene(end, frame), 'rect-frame-419').cls).not.toContain('sg-stale');
    expect(rect(iommuScene(end, frame), 'rect-iframe-1298').cls).toContain('sg-stale');
    expect(pagesScene(end, frame).desc).toContain('Never handed back to the CPU (dma-debug): pfn 0x3c0, pfn 0x2f7, pfn 0x512.');
  });

  it('keeps max_seg_size apart: four DMA segments for five entries', () => {
    const states = run('max-segment');
    const scene = iommuScene(states[21], sgFrame(states));
    expect(keysWith(scene, 'rect-seg-')).toEqual(['rect-seg-0', 'rect-seg-1', 'rect-seg-2', 'rect-seg-3']);
    expect(keysWith(scene, 'path-xlate-')).toHaveLength(8);
  });

  it('without an IOMMU draws each bus address level with its frames', () => {
    const states = run('map-direct');
    const frame = sgFrame(states);
    const scene = iommuScene(states[10], frame);
    expect(keysWith(scene, 'rect-bus-')).toHaveLength(4);
    const bus = rect(scene, 'rect-bus-1');
    const fr = rect(scene, 'rect-iframe-960'); // pfn 0x3c0, entry 1, page aligned
    expect(bus.y).toBeCloseTo(fr.y, 5);
    expect(keysWith(scene, 'path-bus-')).toHaveLength(4);
    expect(scene.desc).toContain('sg[1] bus address 0x3c0000 (= its physical address), 4096 bytes');
    expect(byKey(iommuScene(states[0], frame), 'text-bus-note')).toMatchObject({ text: 'dma_direct_map_sg has not run yet' });
  });

  it('lists descriptors to post, posted, next and done', () => {
    const states = run('map-iommu');
    const frame = sgFrame(states);
    const status = (i: number) => keysWith(deviceScene(states[i], frame), 'text-desc-status-').map((k) => (byKey(deviceScene(states[i], frame), k) as { text: string }).text);
    expect(status(15)).toEqual(['to post', 'to post', 'to post', 'to post']);
    expect(status(17)).toEqual(['posted', 'posted', 'to post', 'to post']);
    expect(status(20)).toEqual(['▶ next', 'posted', 'posted', 'posted']);
    expect(status(22)).toEqual(['✓ done', '✓ done', '▶ next', 'posted']);
    expect(byKey(deviceScene(states[0], frame), 'text-desc-none')).toBeDefined();
    const chunked = run('chunked-transfer');
    const done = deviceScene(chunked[20], sgFrame(chunked));
    expect(byKey(done, 'text-loop')).toMatchObject({ text: 'loop: command 2 of 3 · 16384 of 40960 bytes moved' });
    expect(rect(done, 'rect-chunk-1').cls).toContain('sg-cur');
  });

  it('serialises a scene as SVG with keys, classes, colours and escaped text', () => {
    const svg = sceneToSvg({
      width: 10,
      height: 10,
      desc: '',
      shapes: [
        { kind: 'rect', key: 'rect-a', cls: 'x', x: 1, y: 2, w: 3, h: 4, rx: 2, color: 'var(--w1, #c026d3)', entry: 1 },
        { kind: 'path', key: 'path-b', cls: 'y', d: 'M0,0L1,1' },
        { kind: 'text', key: 'text-c', cls: 'z', x: 5, y: 6, text: 'a<b & "c"', anchor: 'middle' },
      ],
    });
    expect(svg).toBe(
      '<rect data-key="rect-a" class="x" style="--c:var(--w1, #c026d3)" data-entry="1" x="1" y="2" width="3" height="4" rx="2"></rect>' +
        '<path data-key="path-b" class="y" d="M0,0L1,1"></path>' +
        '<text data-key="text-c" class="z" x="5" y="6" text-anchor="middle">a&lt;b &amp; &quot;c&quot;</text>',
    );
    const states = run('unmap-bug');
    const scene = pagesScene(states[0], sgFrame(states));
    expect(sceneToSvg(scene).match(/data-key=/g)).toHaveLength(scene.shapes.length);
  });
});
