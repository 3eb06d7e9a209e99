/** Geometry of the memory widget's diagrams (layout.ts) and the marker fitting of its views. */
import { describe, expect, it } from 'vitest';
import { MM_PRESETS, mmModel } from '../../../sims/mm/index.ts';
import { addressFields } from './format.ts';
import { arcPath, bitFields, frameColumns, maxProcRows, memoryLayout, RESERVE_WIDTHS, reservedHeights, walkLayout } from './layout.ts';
import { presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(mmModel, MM_PRESETS);

describe('frame columns', () => {
  it('puts 16 frames in one row on a desktop, two rows of 8 on a phone', () => {
    expect(frameColumns(16, 760)).toBe(16);
    expect(frameColumns(16, 300)).toBe(8);
    expect(frameColumns(16, 200)).toBe(4);
    expect(frameColumns(3, 100)).toBe(2);
  });
});

describe('memory layout', () => {
  it('lays out pages, frames, zones and one link per present PTE', () => {
    const states = run('dma-without-pin');
    const L = memoryLayout(states[8], states[7], 760);
    expect(L.cols).toBe(16);
    expect(L.frames).toHaveLength(16);
    expect(L.pages.map((p) => p.key)).toHaveLength(6);
    expect(L.links.map((l) => l.key).sort()).toEqual(['0:139637976727552', '0:139637976731648', '0:139637976735744'].sort());
    // Frames stay inside the width, left to right, all below the pages.
    const maxPageBottom = Math.max(...L.pages.map((p) => p.y + p.h));
    for (const f of L.frames) {
      expect(f.x).toBeGreaterThanOrEqual(0);
      expect(f.x + f.w).toBeLessThanOrEqual(760);
      expect(f.y).toBeGreaterThan(maxPageBottom);
    }
    // Zones: NORMAL then MOVABLE in one row.
    expect(L.zones.map((z) => [z.zone, z.label])).toEqual([
      ['normal', 'ZONE_NORMAL'],
      ['movable', 'ZONE_MOVABLE'],
    ]);
    // The lost write is on pfn 7, which is free but keeps its stale data.
    expect(L.frames[7]).toMatchObject({ lost: true, stale: true, use: 'free', marker: 'DMA1' });
    expect(L.frames[8]).toMatchObject({ target: true, buffer: true });
    expect(L.frames[15]).toMatchObject({ buffer: true, marker: 'P0' });
    expect(L.device).not.toBeNull();
    expect(L.dma.map((d) => [d.pfn, d.status])).toEqual([
      [6, 'ok'],
      [7, 'freed'],
      [8, 'pending'],
    ]);
    expect(L.height).toBeGreaterThan(L.device!.y + L.device!.h);
  });

  it('draws the migration of the compaction step as an arc from the old frame to the new', () => {
    const states = run('dma-without-pin');
    const L = memoryLayout(states[7], states[6], 760);
    expect(L.moves).toHaveLength(1);
    const [m] = L.moves;
    expect(m.move).toMatchObject({ from: 7, to: 15, reason: 'migrated' });
    expect(m.from.x).toBeCloseTo(L.frames[7].x + L.frames[7].w / 2);
    expect(m.to.x).toBeCloseTo(L.frames[15].x + L.frames[15].w / 2);
    expect(arcPath(m.from, m.to)).toMatch(/^M[\d.]+,[\d.]+ Q[\d.]+,[\d.]+ [\d.]+,[\d.]+$/);
    // The arc stays in the gap between the pages and the frames.
    const top = Number(arcPath(m.from, m.to).split(' ')[1].split(',')[1]);
    expect(top).toBeGreaterThan(Math.max(...L.pages.map((p) => p.y + p.h)));
  });

  it('wraps frames on a phone and keeps them inside the width', () => {
    const L = memoryLayout(run('translate')[2], null, 300);
    expect(L.cols).toBe(8);
    expect(new Set(L.frames.map((f) => f.y)).size).toBe(2);
    for (const f of L.frames) expect(f.x + f.w).toBeLessThanOrEqual(300);
    for (const p of L.pages) expect(p.x + p.w).toBeLessThanOrEqual(300);
    expect(L.zones.map((z) => z.zone)).toEqual(['normal', 'movable', 'movable']);
  });

  it('reserves rows for processes forked later, so the frames do not jump', () => {
    const states = run('cow-after-fork');
    expect(maxProcRows(states)).toBe(2);
    const before = memoryLayout(states[0], null, 760, 2);
    const after = memoryLayout(states[2], states[1], 760, 2);
    expect(before.frames[0].y).toBe(after.frames[0].y);
    expect(before.height).toBe(after.height);
    expect(memoryLayout(states[0], null, 760).height).toBeLessThan(before.height);
  });

  it('has no device without a driver', () => {
    const L = memoryLayout(run('translate')[0], null, 760);
    expect(L.device).toBeNull();
    expect(L.dma).toEqual([]);
  });
});

describe('translation layout', () => {
  it('draws the 48 bits on top only when wide, grouped 9/9/9/9/12', () => {
    const wide = walkLayout(760);
    expect(wide.wide).toBe(true);
    expect(wide.bitX).toHaveLength(48);
    // A gap after bit 39 (index 8) and none inside a field.
    expect(wide.bitX[9] - wide.bitX[8]).toBeGreaterThan(wide.bitX[8] - wide.bitX[7]);
    expect(wide.bitX[47] + wide.bitW).toBeLessThanOrEqual(760);
    const narrow = walkLayout(300);
    expect(narrow.wide).toBe(false);
    expect(narrow.bitX).toEqual([]);
    expect(narrow.rows.map((r) => r.key)).toEqual(['pgd', 'pud', 'pmd', 'pte', 'offset', 'phys']);
    expect(narrow.bitsX + 12 * narrow.cellW).toBeLessThan(300);
  });

  it('assigns each bit to its field', () => {
    const f = bitFields(addressFields(0x7f0000001234));
    expect(f.slice(0, 9).every((x) => x === 'pgd')).toBe(true);
    expect(f[9]).toBe('pud');
    expect(f.slice(36).every((x) => x === 'offset')).toBe(true);
  });
});

describe('reserved heights', () => {
  it('reserve more on a phone and for runs with a fork or a driver', () => {
    const t = reservedHeights(run('translate'));
    const fork = reservedHeights(run('pin-fork'));
    expect(t.memory.narrow).toBeGreaterThan(t.memory.wide);
    expect(t.walk.wide).toBe(walkLayout(RESERVE_WIDTHS.wide).height);
    expect(fork.memory.wide).toBeGreaterThan(t.memory.wide);
  });
});
