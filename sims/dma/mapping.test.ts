import { describe, expect, it } from 'vitest';
import { checkCoverage, deviceTarget, descriptorsFor, dmaSegs, splitTransfer, toDescriptors } from './device.ts';
import { IOVA_LIMIT, finaliseEntry, finaliseStart, iommuDmaLayout, iommuGranules, iommuInit, iommuTranslate, iovaAlloc, iovaFree, roundUpPow2 } from './iommu.ts';
import { ENOMEM, dmaDebugCheckSegments, dmaMapSg, dmaMapSgDirect, dmaMapSgIommu, dmaMapSgtable, dmaUnmapSg, dmaUnmapSgtable } from './mapping.ts';
import { forEachSgtableDmaSg, forEachSgtableSg, sgAllocTableFromPages } from './sg.ts';
import type { DeviceAccess, IommuState, SgEntry, SgTable } from './types.ts';

const KiB = 1024;
const IOMMU: IommuState = iommuInit({ enabled: true, iovaBase: 0x100000, granule: 4096 });
/** Four scattered frames: 3532 bytes from offset 0x234, two whole pages, 1000 bytes. */
const SCATTERED = sgAllocTableFromPages([0x1a3, 0x3c0, 0x2f7, 0x512], 0x234, 3532 + 4096 + 4096 + 1000);
const dev = (maxSegSize = 64 * KiB, segBoundaryMask: number | null = null) => ({ maxSegSize, segBoundaryMask, pageSize: 4096 });

/** A table from hand-written CPU entries (for shapes a pinned buffer never gives). */
function table(entries: [number, number, number][], pageSize = 4096): SgTable {
  let at = 0;
  const sgl = entries.map(([pfn, offset, length]): SgEntry => {
    const e: SgEntry = { pfn, offset, length, npages: Math.ceil((offset + length) / pageSize), bufferOffset: at, dma_address: null, dma_length: 0, owner: 'cpu' };
    at += length;
    return e;
  });
  return { sgl, nents: sgl.length, orig_nents: sgl.length };
}

const dmaSide = (t: SgTable) => t.sgl.map((e) => [e.dma_address, e.dma_length]);

describe('dma_map_sg without an IOMMU (dma-direct)', () => {
  it('returns nents unchanged, with bus address = physical address and sg_dma_len = length', () => {
    const before = JSON.stringify(SCATTERED);
    const r = dmaMapSgDirect(SCATTERED);
    expect(r.count).toBe(4);
    expect(dmaSide(r.sgt)).toEqual([
      [0x1a3234, 3532],
      [0x3c0000, 4096],
      [0x2f7000, 4096],
      [0x512000, 1000],
    ]);
    expect(r.sgt.sgl.every((e) => e.owner === 'device')).toBe(true);
    expect([r.sgt.nents, r.sgt.orig_nents]).toEqual([4, 4]);
    expect(JSON.stringify(SCATTERED)).toBe(before);
  });

  it('does not merge even physically consecutive entries', () => {
    const t = table([
      [0x10, 0, 4096],
      [0x11, 0, 4096],
    ]);
    expect(dmaMapSgDirect(t).count).toBe(2);
    expect(dmaMapSg(t, 2, null, dev()).count).toBe(2);
    expect(dmaMapSg(t, 2, iommuInit({ enabled: false, iovaBase: 0x1000, granule: 4096 }), dev()).count).toBe(2);
  });
});

describe('dma_map_sg behind an IOMMU (iommu_dma_map_sg)', () => {
  it('allocates one IOVA range and merges all four entries into one DMA segment: returns 1 < nents', () => {
    const r = dmaMapSgIommu(SCATTERED, IOMMU, 64 * KiB);
    expect(r.count).toBe(1);
    expect(r.iova).toEqual({ start: 0x100000, size: 16 * KiB });
    expect(dmaSide(r.sgt)).toEqual([
      [0x100234, 12724],
      [null, 0],
      [null, 0],
      [null, 0],
    ]);
    // The CPU side is untouched: offsets and lengths restored by __finalise_sg.
    expect(r.sgt.sgl.map((e) => [e.pfn, e.offset, e.length])).toEqual(SCATTERED.sgl.map((e) => [e.pfn, e.offset, e.length]));
    expect(r.iommu.allocations).toEqual([{ start: 0x100000, size: 16 * KiB }]);
    expect(r.iommu.mappings.map((m) => [m.iova, m.phys, m.size, m.entry])).toEqual([
      [0x100000, 0x1a3000, 4096, 0],
      [0x101000, 0x3c0000, 4096, 1],
      [0x102000, 0x2f7000, 4096, 2],
      [0x103000, 0x512000, 4096, 3],
    ]);
    // dma_map_sg leaves sgt->nents alone; dma_map_sgtable sets it.
    expect(r.sgt.nents).toBe(4);
  });

  it('merges only while a segment stays within max_seg_size', () => {
    expect(dmaSide(dmaMapSgIommu(SCATTERED, IOMMU, 8 * KiB).sgt)).toEqual([
      [0x100234, 7628],
      [0x102000, 5096],
      [null, 0],
      [null, 0],
    ]);
    expect(dmaMapSgIommu(SCATTERED, IOMMU, 4096).count).toBe(4);
    // An odd limit such as 0xffff: 15 whole pages fit, the 16th does not.
    const pages = sgAllocTableFromPages(Array.from({ length: 20 }, (_, i) => 0x100 + 2 * i), 0, 20 * 4096);
    expect(dmaSide(dmaMapSgIommu(pages, IOMMU, 0xffff).sgt).slice(0, 3)).toEqual([
      [0x100000, 15 * 4096],
      [0x10f000, 5 * 4096],
      [null, 0],
    ]);
  });

  it('does not append an entry that starts inside its IOVA granule (new-offset)', () => {
    const t = table([
      [0x10, 0, 4096],
      [0x20, 0x200, 0xe00],
    ]);
    const r = dmaMapSgIommu(t, IOMMU, 64 * KiB);
    expect(r.count).toBe(2);
    expect(dmaSide(r.sgt)).toEqual([
      [0x100000, 4096],
      [0x101200, 0xe00],
    ]);
  });

  it('does not append after an entry that ends inside its granule (new-gap)', () => {
    const t = table([
      [0x10, 0, 0x800],
      [0x20, 0, 4096],
    ]);
    const { layout } = iommuDmaLayout(t.sgl, 2, 4096, null);
    const first = finaliseEntry(t.sgl, layout, 0, finaliseStart(0x100000), 64 * KiB, null);
    expect(first.endsChain).toBe(true);
    const second = finaliseEntry(first.sgl, layout, 1, first.cursor, 64 * KiB, null);
    expect(second.decision).toBe('new-gap');
    expect(dmaSide({ ...t, sgl: second.sgl })).toEqual([
      [0x100000, 0x800],
      [0x101000, 4096],
    ]);
  });

  it('keeps DMA segments off segment boundaries: pads the previous entry, or starts a new segment at one', () => {
    // 16 KiB boundary: entry 1 (8 KiB) is padded by 4 KiB so that entry 2 starts at 16 KiB.
    const t = sgAllocTableFromPages([0x10, 0x20, 0x21, 0x30, 0x31], 0, 5 * 4096);
    const { layout, iovaLen } = iommuDmaLayout(t.sgl, 3, 4096, 0x3fff);
    expect(layout.map((l) => [l.at, l.iovaLen, l.pad])).toEqual([
      [0, 4096, 0],
      [4096, 12288, 4096],
      [16384, 8192, 0],
    ]);
    expect(iovaLen).toBe(24 * KiB);
    const r = dmaMapSgIommu(t, IOMMU, 64 * KiB, { segBoundaryMask: 0x3fff });
    expect(r.count).toBe(2);
    expect(dmaSide(r.sgt)).toEqual([
      [0x100000, 12288],
      [0x104000, 8192],
      [null, 0],
    ]);
    // iommu_map_sg maps the padded length: the padding reaches the frame after entry 1.
    expect(r.iommu.mappings[1]).toEqual({ iova: 0x101000, phys: 0x20000, size: 12288, entry: 1, pad: 4096 });
    expect(iommuGranules(r.iommu, 4096).filter((g) => g.pad)).toEqual([{ iova: 0x103000, phys: 0x22000, pfn: 0x22, entry: 1, pad: true }]);
    expect(dmaDebugCheckSegments(r.sgt, r.count, dev(64 * KiB, 0x3fff))).toEqual([]);

    // 8 KiB boundary with one-page entries: no padding needed (pad_len < s_length - 1 fails),
    // and the entry whose IOVA is on the boundary starts a new segment.
    const u = sgAllocTableFromPages([0x10, 0x20, 0x30, 0x40], 0, 4 * 4096);
    const l2 = iommuDmaLayout(u.sgl, 4, 4096, 0x1fff);
    expect(l2.layout.every((l) => l.pad === 0)).toBe(true);
    const r2 = dmaMapSgIommu(u, IOMMU, 64 * KiB, { segBoundaryMask: 0x1fff });
    expect(dmaSide(r2.sgt)).toEqual([
      [0x100000, 8192],
      [0x102000, 8192],
      [null, 0],
      [null, 0],
    ]);
    const c = finaliseEntry(
      finaliseEntry(r2.sgt.sgl, l2.layout, 0, finaliseStart(0x100000), 64 * KiB, 0x1fff).sgl,
      l2.layout,
      1,
      finaliseEntry(r2.sgt.sgl, l2.layout, 0, finaliseStart(0x100000), 64 * KiB, 0x1fff).cursor,
      64 * KiB,
      0x1fff,
    );
    expect(c.decision).toBe('merge');
    expect(finaliseEntry(c.sgl, l2.layout, 2, c.cursor, 64 * KiB, 0x1fff).decision).toBe('new-boundary');
  });

  it('works with a granule smaller than a page', () => {
    const t = table([
      [0x10, 0x634, 0x9cc],
      [0x20, 0, 4096],
    ]);
    const io = iommuInit({ enabled: true, iovaBase: 0x100000, granule: 1024 });
    const r = dmaMapSgIommu(t, io, 64 * KiB);
    // 0x634 is 0x234 into its 1 KiB granule; the run starts at the granule, 0x10400.
    expect(r.iommu.mappings[0]).toEqual({ iova: 0x100000, phys: 0x10400, size: 0xc00, entry: 0, pad: 0 });
    expect(dmaSide(r.sgt)).toEqual([
      [0x100234, 0x9cc + 4096],
      [null, 0],
    ]);
  });

  it('merges past max_seg_size when an entry is already longer (unsigned max_len - cur_len wraps), and dma-debug notices', () => {
    const t = sgAllocTableFromPages([0x10, 0x11, 0x12, 0x40], 0, 4 * 4096); // entries of 12 KiB and 4 KiB
    const r = dmaMapSgIommu(t, IOMMU, 8 * KiB);
    expect(r.count).toBe(1);
    expect(dmaSide(r.sgt)[0]).toEqual([0x100000, 16 * KiB]);
    const { layout } = iommuDmaLayout(t.sgl, 2, 4096, null);
    const a = finaliseEntry(t.sgl, layout, 0, finaliseStart(0x100000), 8 * KiB, null);
    expect(finaliseEntry(a.sgl, layout, 1, a.cursor, 8 * KiB, null)).toMatchObject({ decision: 'merge', wrapped: true });
    expect(dmaDebugCheckSegments(r.sgt, r.count, dev(8 * KiB)).map((x) => [x.kind, x.entry, x.message])).toEqual([
      ['segment-too-long', 0, 'mapping sg segment longer than device claims to support [len=12288] [max=8192]'],
    ]);
  });

  it('returns 0 when no IOVA is left (dma_map_sgtable: -ENOMEM)', () => {
    const full = iommuInit({ enabled: true, iovaBase: IOVA_LIMIT - 8192, granule: 4096 });
    const r = dmaMapSgIommu(SCATTERED, full, 64 * KiB);
    expect(r.count).toBe(0);
    expect(r.sgt).toBe(SCATTERED);
    expect(dmaMapSgtable(SCATTERED, full, dev())).toEqual({ sgt: SCATTERED, iommu: full, ret: -ENOMEM });
  });
});

describe('dma_map_sgtable: nents vs orig_nents', () => {
  it('stores the mapped count in nents and keeps orig_nents; the two iterators follow them', () => {
    const r = dmaMapSgtable(SCATTERED, IOMMU, dev(8 * KiB));
    expect(r.ret).toBe(0);
    expect([r.sgt.nents, r.sgt.orig_nents]).toEqual([2, 4]);
    const dma: [number, number][] = [];
    forEachSgtableDmaSg(r.sgt, (sg) => dma.push([sg.dma_address as number, sg.dma_length]));
    expect(dma).toEqual([
      [0x100234, 7628],
      [0x102000, 5096],
    ]);
    const cpuPfns: number[] = [];
    forEachSgtableSg(r.sgt, (sg) => cpuPfns.push(sg.pfn));
    expect(cpuPfns).toEqual([0x1a3, 0x3c0, 0x2f7, 0x512]);
  });

  it('without an IOMMU nents stays orig_nents', () => {
    const r = dmaMapSgtable(SCATTERED, null, dev());
    expect([r.ret, r.sgt.nents, r.sgt.orig_nents]).toEqual([0, 4, 4]);
  });
});

describe('dma_unmap_sg: the original nents', () => {
  const mapped = dmaMapSgIommu(SCATTERED, IOMMU, 64 * KiB);

  it('with orig_nents: every entry back to the CPU, IOVA unmapped and freed, nothing reported', () => {
    const r = dmaUnmapSg(mapped.sgt, 4, mapped.iommu);
    expect(r.report).toBeNull();
    expect(r.unsynced).toEqual([]);
    expect(r.sgt.sgl.every((e) => e.owner === 'cpu')).toBe(true);
    expect(r.unmapped).toEqual({ start: 0x100000, size: 16 * KiB });
    expect(r.freed).toEqual({ start: 0x100000, size: 16 * KiB });
    expect(r.iommu).toMatchObject({ allocations: [], mappings: [] });
    expect(dmaUnmapSgtable(mapped.sgt, mapped.iommu)).toEqual(r);
  });

  it('with the mapped count: reported like dma-debug; entries 1-3 stay device-owned; in 6.12 the IOVA is still freed whole', () => {
    const r = dmaUnmapSg(mapped.sgt, mapped.count, mapped.iommu);
    expect(r.report).toEqual({
      kind: 'unmap-count',
      chunk: 0,
      message: 'device driver frees DMA sg list with different entry count [map count=4] [unmap count=1]',
      entry: null,
      passed: 1,
      orig_nents: 4,
      unsyncedPfns: [0x3c0, 0x2f7, 0x512],
    });
    expect(r.unsynced).toEqual([1, 2, 3]);
    expect(r.sgt.sgl.map((e) => e.owner)).toEqual(['cpu', 'device', 'device', 'device']);
    expect(r.unmapped).toEqual({ start: 0x100000, size: 16 * KiB });
    expect(r.iommu).toMatchObject({ allocations: [], mappings: [] });
    expect(r.stale).toEqual([]);
  });

  it('with fewer than the mapped count: the IOVA is freed but later segments stay translated (stale)', () => {
    const m = dmaMapSgIommu(SCATTERED, IOMMU, 8 * KiB); // 2 DMA segments
    const r = dmaUnmapSg(m.sgt, 1, m.iommu);
    expect(r.unmapped).toEqual({ start: 0x100000, size: 8 * KiB });
    expect(r.freed).toEqual({ start: 0x100000, size: 16 * KiB });
    expect(r.stale).toEqual([
      { start: 0x102000, size: 4096 },
      { start: 0x103000, size: 4096 },
    ]);
  });

  it('without an IOMMU the mapped count equals nents, so the bug stays hidden', () => {
    const d = dmaMapSgDirect(SCATTERED);
    const r = dmaUnmapSg(d.sgt, d.count);
    expect(r.report).toBeNull();
    expect(r.unsynced).toEqual([]);
  });

  it('throws RangeError for a count outside 1..orig_nents', () => {
    expect(() => dmaUnmapSg(mapped.sgt, 0, mapped.iommu)).toThrow(RangeError);
    expect(() => dmaUnmapSg(mapped.sgt, 5, mapped.iommu)).toThrow(RangeError);
    expect(() => dmaMapSgDirect(SCATTERED, 4096, 5)).toThrow(RangeError);
  });
});

describe('the IOVA allocator', () => {
  it('hands out naturally aligned ranges from the base, lowest first, and reuses freed space', () => {
    let io = IOMMU;
    const a = iovaAlloc(io, 12 * KiB)!; // 3 granules, aligned to 4
    io = a.iommu;
    const b = iovaAlloc(io, 4 * KiB)!;
    io = b.iommu;
    expect([a.range, b.range]).toEqual([
      { start: 0x100000, size: 12 * KiB },
      { start: 0x103000, size: 4 * KiB },
    ]);
    const c = iovaAlloc(io, 8 * KiB)!;
    expect(c.range.start).toBe(0x104000);
    io = iovaFree(c.iommu, 0x100000 + 5).iommu;
    expect(io.allocations.map((r) => r.start)).toEqual([0x103000, 0x104000]);
    expect(iovaAlloc(io, 8 * KiB)!.range.start).toBe(0x100000);
    expect(iovaAlloc(iommuInit({ enabled: true, iovaBase: 0x101000, granule: 4096 }), 8 * KiB)!.range.start).toBe(0x102000);
    expect(iovaFree(io, 0x900000).freed).toBeNull();
    expect(() => iovaAlloc(io, 100)).toThrow(RangeError);
    expect([1, 2, 3, 5, 8, 9].map(roundUpPow2)).toEqual([1, 2, 4, 8, 8, 16]);
  });
});

describe('descriptors and chunks', () => {
  it('toDescriptors: only the first nents segments, each cut into pieces of at most maxLen, never merged', () => {
    const segs = [
      { addr: 0x1000, len: 0x2800 },
      { addr: 0x9000, len: 0x800 },
      { addr: 0xdead000, len: 0 },
    ];
    expect(toDescriptors(segs, 2, 0x1000)).toEqual([
      { addr: 0x1000, len: 0x1000 },
      { addr: 0x2000, len: 0x1000 },
      { addr: 0x3000, len: 0x800 },
      { addr: 0x9000, len: 0x800 },
    ]);
    expect(toDescriptors(segs, 1, Infinity)).toEqual([{ addr: 0x1000, len: 0x2800 }]);
    expect(toDescriptors(segs, 0, 4096)).toEqual([]);
    expect(toDescriptors(segs, 3, 4096)).toHaveLength(4); // a 0-byte segment gives no descriptor
    expect(() => toDescriptors(segs, 4, 4096)).toThrow(RangeError);
    expect(() => toDescriptors(segs, 1.5, 4096)).toThrow(RangeError);
    expect(() => toDescriptors(segs, 1, 0)).toThrow(RangeError);
  });

  it('descriptorsFor reads sg_dma_address/sg_dma_len over the mapped count, and refuses a wrong count', () => {
    const m = dmaMapSgIommu(SCATTERED, IOMMU, 64 * KiB);
    expect(descriptorsFor(m.sgt.sgl, m.count, 4096).map((d) => [d.addr, d.len, d.seg, d.part, d.parts])).toEqual([
      [0x100234, 4096, 0, 0, 4],
      [0x101234, 4096, 0, 1, 4],
      [0x102234, 4096, 0, 2, 4],
      [0x103234, 436, 0, 3, 4],
    ]);
    expect(dmaSegs(m.sgt.sgl, 1)).toEqual([{ addr: 0x100234, len: 12724 }]);
    expect(() => dmaSegs(m.sgt.sgl, 4)).toThrow(/mapped count/);
  });

  it('splitTransfer: the seed\'s loop in chunks of at most the per-command limit', () => {
    expect(splitTransfer(600 * KiB, 256 * KiB)).toEqual([
      { start: 0, len: 256 * KiB },
      { start: 256 * KiB, len: 256 * KiB },
      { start: 512 * KiB, len: 88 * KiB },
    ]);
    expect(splitTransfer(512 * KiB, 256 * KiB)).toHaveLength(2);
    expect(splitTransfer(1, 256 * KiB)).toEqual([{ start: 0, len: 1 }]);
    expect(splitTransfer(0, 256 * KiB)).toEqual([]);
    expect(() => splitTransfer(-1, 4096)).toThrow(RangeError);
    expect(() => splitTransfer(4096, 0)).toThrow(RangeError);
    expect(() => splitTransfer(1.5, 4096)).toThrow(RangeError);
  });
});

describe('where the device\'s accesses land', () => {
  it('goes straight to physical memory without an IOMMU, through the page table with one', () => {
    const off = iommuInit({ enabled: false, iovaBase: 0x100000, granule: 4096 });
    expect(deviceTarget(off, 0x10f00, 0x200, 4096)).toEqual([
      { phys: 0x10f00, len: 0x100, pfn: 0x10 },
      { phys: 0x11000, len: 0x100, pfn: 0x11 },
    ]);
    const m = dmaMapSgIommu(SCATTERED, IOMMU, 64 * KiB);
    expect(deviceTarget(m.iommu, 0x100234 + 3000, 1000, 4096)).toEqual([
      { phys: 0x1a3234 + 3000, len: 532, pfn: 0x1a3 },
      { phys: 0x3c0000, len: 468, pfn: 0x3c0 },
    ]);
    expect(() => iommuTranslate(m.iommu, 0x200000, 1, 4096)).toThrow(/IOMMU fault/);
  });

  it('checkCoverage accepts an exact cover and names gaps, repeats and strays', () => {
    const buf = { pfns: [0x10, 0x40], offset: 0x100, len: 0x1000 };
    const acc = (phys: number, len: number): DeviceAccess => ({ command: 0, desc: 0, addr: phys, len, phys: deviceTarget(iommuInit({ enabled: false, iovaBase: 0, granule: 4096 }), phys, len, 4096), write: true });
    expect(checkCoverage(buf, 4096, [acc(0x10100, 0xf00), acc(0x40000, 0x100)]).ok).toBe(true);
    expect(checkCoverage(buf, 4096, [acc(0x10100, 0xf00)]).problems).toEqual(['The device never touched frame 0x40 (bytes 0..255).']);
    expect(checkCoverage(buf, 4096, [acc(0x10100, 0xf00), acc(0x10100, 0x10), acc(0x40000, 0x100)]).problems).toEqual(['The device touched bytes 256..271 of frame 0x10 twice.']);
    expect(checkCoverage(buf, 4096, [acc(0x10000, 0x1000), acc(0x40000, 0x100), acc(0x50000, 4)]).problems).toEqual([
      "The device touched bytes 0..4095 of frame 0x10, outside the buffer's 256..4095.",
      'The device touched frame 0x50, which is not in the buffer.',
    ]);
  });
});
