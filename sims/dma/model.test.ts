import { describe, expect, it } from 'vitest';
import { replay, runToEnd } from '../core/model.ts';
import { dmaMapSg } from './mapping.ts';
import { dmaModel, fmtBytes, mappedSegments, pfnsText, runCoverage } from './model.ts';
import { sgAllocTableFromPages, subBuffer } from './sg.ts';
import { DMA_PRESETS, sched } from './presets.ts';
import * as api from './index.ts';
import type { DmaParams, DmaState } from './types.ts';

const KiB = 1024;

const BASE: Omit<DmaParams, 'buffer' | 'iommu' | 'device'> = {
  pageSize: 4096,
  sgMaxSegment: null,
  maxSegSize: 64 * KiB,
  segBoundaryMask: null,
  dir: 'DMA_FROM_DEVICE',
  api: 'dma_map_sg',
  unmapNents: 'orig',
};
const NO_IOMMU = { enabled: false, iovaBase: 0x100000, granule: 4096 };
const IOMMU = { enabled: true, iovaBase: 0x200000, granule: 4096 };

function params(over: Partial<DmaParams> & Pick<DmaParams, 'buffer'>): DmaParams {
  return { ...BASE, iommu: NO_IOMMU, device: { maxDescLen: 4096, maxTransfer: 256 * KiB }, ...over };
}

function last<T>(xs: T[]): T {
  return xs[xs.length - 1];
}

function run(p: DmaParams): DmaState[] {
  return runToEnd(dmaModel, p, 0).states;
}

const narrations = (states: DmaState[]) => states.slice(1).map((s) => s.event?.narration);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** The state just before the driver posts its first descriptor of the current chunk. */
function firstAtPhase(states: DmaState[], phase: DmaState['driver']['phase'], from = 0): DmaState {
  const s = states.slice(from).find((x) => x.driver.phase === phase);
  if (!s) throw new Error(`no state in phase ${phase}`);
  return s;
}

// ---------------------------------------------------------------------------------------

describe('golden traces', () => {
  it('dma-direct: first entry with an offset, a merged page, a short last entry, descriptors cut at 4 KiB', () => {
    const states = run(params({ buffer: { pfns: [0x10, 0x11, 0x40], offset: 0x100, len: 0x2000 } }));
    expect(narrations(states)).toEqual([
      'The driver takes the whole 8 KiB buffer as one command (the device moves at most 256 KiB per command): 3 pinned pages starting 0x100 into pfn 0x10.',
      'sg_alloc_table_from_pages_segment starts entry 0 at pfn 0x10, offset 0x100, with 3840 bytes (to the end of the page).',
      'pfn 0x11 follows pfn 0x10, so entry 0 grows over it to 7936 bytes (2 pages).',
      'pfn 0x40 does not follow pfn 0x11, so entry 1 starts there with 256 bytes, all that is left of the buffer; the table is built: 2 entries, nents = orig_nents = 2.',
      'With no IOMMU, dma_map_sg(dev, sgl, 2, DMA_FROM_DEVICE) goes to dma_direct_map_sg: dma_direct_map_page gives entry 0 bus address 0x10100, its physical address (pfn 0x10 × 4096 + 0x100), and sg_dma_len 7936.',
      'dma_direct_map_page gives entry 1 bus address 0x40000, its physical address (pfn 0x40 × 4096), and sg_dma_len 256.',
      'dma_map_sg returns 2, the nents it was given: dma-direct merges nothing.',
      'The driver writes descriptor 0: address 0x10100, 4096 bytes (sg_dma_address and sg_dma_len of DMA segment 0, piece 1 of 2: segments longer than 4 KiB are cut).',
      'The driver writes descriptor 1: address 0x11100, 3840 bytes (sg_dma_address and sg_dma_len of DMA segment 0, piece 2 of 2: segments longer than 4 KiB are cut).',
      'The driver writes descriptor 2: address 0x40000, 256 bytes (sg_dma_address and sg_dma_len of DMA segment 1).',
      'The driver starts the device on 3 descriptors (8 KiB) and sleeps in wait_event_interruptible_timeout until the completion interrupt.',
      'The device writes 4096 bytes to bus address 0x10100 (descriptor 0), straight into pfns 0x10–0x11.',
      'The device writes 3840 bytes to bus address 0x11100 (descriptor 1), straight into pfn 0x11.',
      'The device writes 256 bytes to bus address 0x40000 (descriptor 2), straight into pfn 0x40.',
      'The device raises its completion interrupt; the handler sets flag_dma_done and wakes the driver.',
      'The driver calls dma_unmap_sg(dev, sgl, 2, DMA_FROM_DEVICE) with the original nents: dma_direct_unmap_sg hands both entries back to the CPU.',
      'The driver frees the table with sg_free_table; 8192 of 8192 bytes transferred.',
      'The loop is done: 8 KiB moved in 1 command, and the ioctl returns 0; the caller can now unpin the pages.',
    ]);
    expect(states.map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      null,
      'sg_alloc_table_from_pages_segment',
      'sg_alloc_table_from_pages_segment',
      'sg_alloc_table_from_pages_segment',
      'dma_direct_map_sg',
      'dma_direct_map_sg',
      'dma_map_sg_attrs',
      'for_each_sg',
      'for_each_sg',
      'for_each_sg',
      null,
      null,
      null,
      null,
      null,
      'dma_direct_unmap_sg',
      'sg_free_table',
      null,
    ]);
    expect(states.slice(1).map((s) => s.event?.actor)).toEqual([...Array(11).fill('driver'), ...Array(4).fill('device'), ...Array(3).fill('driver')]);
    expect(states[2].event?.source).toEqual({ file: 'lib/scatterlist.c', fn: 'sg_alloc_table_from_pages_segment', version: '6.12' });
    expect(runCoverage(last(states))).toEqual({ ok: true, problems: [] });
    expect(dmaModel.enabled(last(states))).toEqual([]);
  });

  it('IOMMU: two entries merge into one DMA segment, and unmapping with the mapped count is reported', () => {
    const p = params({
      buffer: { pfns: [0x10, 0x40], offset: 0x100, len: 0x1800 },
      iommu: IOMMU,
      unmapNents: 'mapped',
      device: { maxDescLen: 8192, maxTransfer: 256 * KiB },
    });
    const states = replay(dmaModel, p, 0, sched('D11', 'V2', 'D3'));
    expect(narrations(states)).toEqual([
      'The driver takes the whole 6 KiB buffer as one command (the device moves at most 256 KiB per command): 2 pinned pages starting 0x100 into pfn 0x10.',
      'sg_alloc_table_from_pages_segment starts entry 0 at pfn 0x10, offset 0x100, with 3840 bytes (to the end of the page).',
      'pfn 0x40 does not follow pfn 0x10, so entry 1 starts there with 2304 bytes, all that is left of the buffer; the table is built: 2 entries, nents = orig_nents = 2.',
      'dma_map_sg(dev, sgl, 2, DMA_FROM_DEVICE) goes to iommu_dma_map_sg: it rounds each entry out to 4 KiB IOVA granules (entry 0 starts 0x100 into its granule) and allocates one IOVA range for both entries: 0x200000–0x201fff (8 KiB).',
      'iommu_map_sg maps IOVA 0x200000–0x200fff onto pfn 0x10 (entry 0).',
      'iommu_map_sg maps IOVA 0x201000–0x201fff onto pfn 0x40 (entry 1).',
      '__finalise_sg restores entry 0 and starts DMA segment 0 at IOVA 0x200100 with 3840 bytes.',
      'Entry 1 starts on a granule boundary right where DMA segment 0 ends in IOVA space, and 3840 + 2304 bytes fit in max_seg_size (64 KiB): __finalise_sg merges it into segment 0, now 6144 bytes.',
      'dma_map_sg returns 1, fewer than the 2 entries it was given: the driver must walk 1 DMA segment with sg_dma_address and sg_dma_len, and still pass 2 to dma_unmap_sg.',
      'The driver writes descriptor 0: address 0x200100, 6144 bytes (sg_dma_address and sg_dma_len of DMA segment 0).',
      'The driver starts the device on 1 descriptor (6 KiB) and sleeps in wait_event_interruptible_timeout until the completion interrupt.',
      'The device writes 6144 bytes to IOVA 0x200100 (descriptor 0); the IOMMU translates it to pfns 0x10 and 0x40.',
      'The device raises its completion interrupt; the handler sets flag_dma_done and wakes the driver.',
      'The driver passes dma_unmap_sg the count dma_map_sg returned (1), not the original nents (2): dma-debug reports a different entry count, and iommu_dma_unmap_sg hands only entry 0 back to the CPU, leaving entry 1 device-owned (stale cache lines on a non-coherent CPU); it still finds the whole IOVA range from the DMA fields, unmaps IOVA 0x200000–0x201fff and frees it.',
      'The driver frees the table with sg_free_table; 6144 of 6144 bytes transferred.',
      'The loop is done: 6 KiB moved in 1 command (with 1 dma-debug report), and the ioctl returns 0; the caller can now unpin the pages.',
    ]);
    expect(states.map((s) => s.event?.source?.fn ?? null).slice(4, 10)).toEqual(['iommu_dma_map_sg', 'iommu_map_sg', 'iommu_map_sg', '__finalise_sg', '__finalise_sg', 'dma_map_sg_attrs']);
    const end = last(states);
    expect(end.reports).toEqual([
      {
        kind: 'unmap-count',
        chunk: 0,
        message: 'device driver frees DMA sg list with different entry count [map count=2] [unmap count=1]',
        entry: null,
        passed: 1,
        orig_nents: 2,
        unsyncedPfns: [0x40],
      },
    ]);
    expect(end.iommu).toMatchObject({ allocations: [], mappings: [] });
  });

  it('dma_map_sgtable with a segment boundary: padding, nents = 2, orig_nents = 3, the device reading', () => {
    const p = params({
      buffer: { pfns: [0x10, 0x20, 0x21, 0x30, 0x31], offset: 0, len: 5 * 4096 },
      segBoundaryMask: 0x3fff,
      dir: 'DMA_TO_DEVICE',
      api: 'dma_map_sgtable',
      iommu: IOMMU,
      device: { maxDescLen: 64 * KiB, maxTransfer: 256 * KiB },
    });
    const states = run(p);
    expect(narrations(states).slice(6, 19)).toEqual([
      'dma_map_sgtable(dev, sgt, DMA_TO_DEVICE, 0) passes orig_nents (3) to iommu_dma_map_sg: it rounds each entry out to 4 KiB IOVA granules (entry 1 is padded by 4 KiB so that entry 2 starts on a segment boundary) and allocates one IOVA range for all 3 entries: 0x200000–0x205fff (24 KiB).',
      'iommu_map_sg maps IOVA 0x200000–0x200fff onto pfn 0x10 (entry 0).',
      'iommu_map_sg maps IOVA 0x201000–0x202fff onto pfns 0x20–0x21 (entry 1), plus 4 KiB of padding onto pfn 0x22, the memory after it.',
      'iommu_map_sg maps IOVA 0x204000–0x205fff onto pfns 0x30–0x31 (entry 2).',
      '__finalise_sg restores entry 0 and starts DMA segment 0 at IOVA 0x200000 with 4096 bytes.',
      'Entry 1 starts on a granule boundary right where DMA segment 0 ends in IOVA space, and 4096 + 8192 bytes fit in max_seg_size (64 KiB): __finalise_sg merges it into segment 0, now 12288 bytes.',
      'Entry 1 was padded so that entry 2 starts on a 16 KiB segment boundary, and no DMA segment may run across one: __finalise_sg starts DMA segment 1 at IOVA 0x204000 with 8192 bytes.',
      'dma_map_sgtable returns 0 and sets sgt->nents = 2; sgt->orig_nents stays 3, the CPU entries that dma_unmap_sgtable will pass.',
      'The driver writes descriptor 0: address 0x200000, 12288 bytes (sg_dma_address and sg_dma_len of DMA segment 0).',
      'The driver writes descriptor 1: address 0x204000, 8192 bytes (sg_dma_address and sg_dma_len of DMA segment 1).',
      'The driver starts the device on 2 descriptors (20 KiB) and sleeps in wait_event_interruptible_timeout until the completion interrupt.',
      'The device reads 12288 bytes from IOVA 0x200000 (descriptor 0); the IOMMU translates it to pfns 0x10, 0x20 and 0x21.',
      'The device reads 8192 bytes from IOVA 0x204000 (descriptor 1); the IOMMU translates it to pfns 0x30–0x31.',
    ]);
    expect(narrations(states)[20]).toBe(
      'The driver calls dma_unmap_sgtable, which passes sgt->orig_nents (3): iommu_dma_unmap_sg hands all 3 entries back to the CPU, unmaps IOVA 0x200000–0x205fff and frees it.',
    );
    expect(states[21].event?.source).toEqual({ file: 'include/linux/dma-mapping.h', fn: 'dma_unmap_sgtable', version: '6.12' });
    const mapped = firstAtPhase(states, 'post');
    expect([mapped.sgt?.nents, mapped.sgt?.orig_nents]).toEqual([2, 3]);
    expect(runCoverage(last(states)).ok).toBe(true);
    expect(last(states).device.accesses.every((a) => a.write === false)).toBe(true);
  });
});

describe('presets', () => {
  for (const [id, preset] of Object.entries(DMA_PRESETS)) {
    it(`${id}: the schedule replays to the end, every byte moved exactly once`, () => {
      const states = replay(dmaModel, preset.params, 0, preset.schedule);
      const end = last(states);
      expect(dmaModel.enabled(end)).toEqual([]);
      expect(end.driver.phase).toBe('done');
      expect(end.driver.transferred).toBe(preset.params.buffer.len);
      expect(end.device.bytesMoved).toBe(preset.params.buffer.len);
      expect(runCoverage(end)).toEqual({ ok: true, problems: [] });
      expect(end.iommu.allocations).toEqual([]);
      expect(end.iommu.mappings).toEqual([]);
      expect(end.sgt).toBeNull();
    });
  }

  const at = (id: string, phase: DmaState['driver']['phase']) => firstAtPhase(replay(dmaModel, DMA_PRESETS[id].params, 0, DMA_PRESETS[id].schedule), phase);

  it('sg-build: offset first entry, merged middle pages, short last entry', () => {
    const s = at('sg-build', 'map-direct');
    expect(s.sgt?.sgl.map((e) => [e.pfn, e.offset, e.length, e.npages])).toEqual([
      [0x1a3, 0x234, 11724, 3],
      [0x3c0, 0, 8192, 2],
      [0x2f7, 0, 1000, 1],
    ]);
  });

  it('map-direct: count = nents, bus address = physical address', () => {
    const s = at('map-direct', 'post');
    expect(s.driver.mappedCount).toBe(4);
    expect(mappedSegments(s)).toEqual([
      { entry: 0, addr: 0x1a3234, len: 3532 },
      { entry: 1, addr: 0x3c0000, len: 4096 },
      { entry: 2, addr: 0x2f7000, len: 4096 },
      { entry: 3, addr: 0x512000, len: 1000 },
    ]);
    expect(s.driver.pending).toHaveLength(4);
  });

  it('map-iommu: one DMA segment out of four entries, cut into 4 KiB descriptors', () => {
    const s = at('map-iommu', 'post');
    expect([s.driver.mappedCount, s.sgt?.nents, s.sgt?.orig_nents]).toEqual([1, 4, 4]);
    expect(mappedSegments(s)).toEqual([{ entry: 0, addr: 0x100234, len: 12724 }]);
    expect(s.driver.pending.map((d) => d.len)).toEqual([4096, 4096, 4096, 436]);
    expect(s.iommu.mappings.map((m) => m.iova)).toEqual([0x100000, 0x101000, 0x102000, 0x103000]);
  });

  it('max-segment: the sg table splits at 8 KiB and the IOMMU merges only up to 8 KiB; nents 4, orig_nents 5', () => {
    const s = at('max-segment', 'post');
    expect(s.sgt?.sgl.map((e) => e.length)).toEqual([8192, 8192, 4096, 4096, 6096]);
    expect([s.driver.mappedCount, s.sgt?.nents, s.sgt?.orig_nents]).toEqual([4, 4, 5]);
    expect(mappedSegments(s).map((x) => x.len)).toEqual([8192, 8192, 8192, 6096]);
    expect(Math.max(...mappedSegments(s).map((x) => x.len))).toBeLessThanOrEqual(s.params.maxSegSize);
  });

  it('unmap-bug: dma-debug\'s report, entries 1-3 left device-owned, IOVA freed', () => {
    const states = replay(dmaModel, DMA_PRESETS['unmap-bug'].params, 0, DMA_PRESETS['unmap-bug'].schedule);
    const afterUnmap = firstAtPhase(states, 'complete');
    expect(afterUnmap.sgt?.sgl.map((e) => e.owner)).toEqual(['cpu', 'device', 'device', 'device']);
    expect(afterUnmap.iommu.allocations).toEqual([]);
    expect(last(states).reports.map((r) => [r.kind, r.passed, r.orig_nents, r.unsyncedPfns])).toEqual([['unmap-count', 1, 4, [0x3c0, 0x2f7, 0x512]]]);
    // The same run with the original nents reports nothing.
    const ok = run({ ...DMA_PRESETS['unmap-bug'].params, unmapNents: 'orig' });
    expect(last(ok).reports).toEqual([]);
    expect(firstAtPhase(ok, 'complete').sgt?.sgl.every((e) => e.owner === 'cpu')).toBe(true);
  });

  it('chunked-transfer: three commands of 16, 16 and 8 KiB, each with its own table', () => {
    const states = replay(dmaModel, DMA_PRESETS['chunked-transfer'].params, 0, DMA_PRESETS['chunked-transfer'].schedule);
    expect(last(states).driver.chunks).toEqual([
      { start: 0, len: 16384 },
      { start: 16384, len: 16384 },
      { start: 32768, len: 8192 },
    ]);
    const tables = states.filter((s, i) => s.driver.phase === 'post' && states[i - 1].driver.phase === 'map-return').map((s) => s.sgt?.sgl.map((e) => [e.pfn, e.length]));
    expect(tables).toEqual([
      [
        [0x400, 10240],
        [0x7a0, 6144],
      ],
      [
        [0x7a1, 10240],
        [0x150, 6144],
      ],
      [
        [0x151, 2048],
        [0x9f0, 6144],
      ],
    ]);
    expect(last(states).device.commands).toBe(3);
    expect(states.filter((s) => s.event?.narration.startsWith('Command ')).map((s) => s.event?.narration.slice(0, 12))).toEqual(['Command 1 of', 'Command 2 of', 'Command 3 of']);
    expect(last(states).device.accesses.map((a) => a.command)).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
  });
});

describe('the model agrees with the pure functions', () => {
  for (const [id, preset] of Object.entries(DMA_PRESETS)) {
    it(`${id}: each chunk's table and mapping equal sgAllocTableFromPages + dma_map_sg`, () => {
      const p = preset.params;
      const states = run(p);
      const posts = states.filter((s, i) => i > 0 && s.driver.phase === 'post' && states[i - 1].driver.phase === 'map-return');
      expect(posts).toHaveLength(p.device.maxTransfer >= p.buffer.len ? 1 : Math.ceil(p.buffer.len / p.device.maxTransfer));
      for (const s of posts) {
        const c = s.driver.chunks[s.driver.chunk];
        const b = subBuffer(p.buffer, c.start, c.len, p.pageSize);
        const t = sgAllocTableFromPages(b.pfns, b.offset, b.len, p.sgMaxSegment ?? Infinity, p.pageSize);
        const pure = dmaMapSg(t, t.orig_nents, p.iommu.enabled ? { ...s.iommu, allocations: [], mappings: [] } : null, {
          maxSegSize: p.maxSegSize,
          segBoundaryMask: p.segBoundaryMask,
          pageSize: p.pageSize,
        });
        expect(s.driver.mappedCount).toBe(pure.count);
        expect(s.sgt?.sgl).toEqual(pure.sgt.sgl);
        if (pure.iommu) expect(s.iommu.mappings).toEqual(pure.iommu.mappings);
      }
    });
  }
});

describe('the Model contract', () => {
  const p = DMA_PRESETS['max-segment'].params;

  it('offers exactly one choice, the driver or (while it sleeps) the device, then none', () => {
    const states = run(p);
    for (const s of states.slice(0, -1)) {
      const e = dmaModel.enabled(s);
      expect(e).toEqual([{ kind: s.driver.phase === 'wait' ? 'device' : 'driver' }]);
    }
    expect(dmaModel.enabled(last(states))).toEqual([]);
    expect(dmaModel.event(states[0])).toBeNull();
    expect(dmaModel.describeChoice(states[0], { kind: 'driver' })).toBe('driver: take the next chunk');
    const waiting = states.find((s) => s.driver.phase === 'wait')!;
    expect(dmaModel.describeChoice(waiting, { kind: 'device' })).toBe('device: carry out descriptor 0');
    expect(dmaModel.sameChoice({ kind: 'device' }, { kind: 'device' })).toBe(true);
    expect(dmaModel.sameChoice({ kind: 'device' }, { kind: 'driver' })).toBe(false);
  });

  it('throws Error for a choice that is not enabled', () => {
    const s0 = dmaModel.initialState(p, 0);
    expect(() => dmaModel.step(s0, { kind: 'device' })).toThrow(/not enabled/);
    expect(() => replay(dmaModel, p, 0, sched('D3', 'V1'))).toThrow(/step 4/);
    expect(() => dmaModel.step(last(run(p)), { kind: 'driver' })).toThrow(Error);
  });

  it('never changes a state it was given (every state deep-frozen while stepping)', () => {
    let s = deepFreeze(dmaModel.initialState(DMA_PRESETS['unmap-bug'].params, 0));
    const seen: string[] = [JSON.stringify(s)];
    const states = [s];
    for (;;) {
      const e = dmaModel.enabled(s);
      if (!e.length) break;
      s = deepFreeze(dmaModel.step(s, e[0]));
      states.push(s);
      seen.push(JSON.stringify(s));
    }
    expect(states.map((x) => JSON.stringify(x))).toEqual(seen);
    expect(states.length).toBe(DMA_PRESETS['unmap-bug'].schedule.length + 1);
  });

  it('is deterministic and ignores the seed', () => {
    const a = runToEnd(dmaModel, p, 1).states;
    const b = runToEnd(dmaModel, p, 987654).states;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('keeps states plain JSON', () => {
    for (const s of run(DMA_PRESETS['chunked-transfer'].params)) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('copies its parameters: changing them afterwards changes nothing', () => {
    const mine: DmaParams = JSON.parse(JSON.stringify(p));
    const s0 = dmaModel.initialState(mine, 0);
    mine.buffer.pfns[0] = 0x999;
    mine.maxSegSize = 1;
    expect(s0.params).toEqual(p);
  });

  it('counts steps and records the last choice', () => {
    const states = replay(dmaModel, p, 0, DMA_PRESETS['max-segment'].schedule);
    expect(states.map((s) => s.stepIndex)).toEqual(states.map((_, i) => i));
    expect(states[1].lastChoice).toEqual({ kind: 'driver' });
    expect(states.find((s) => s.event?.actor === 'device')?.lastChoice).toEqual({ kind: 'device' });
  });
});

describe('bad parameters throw RangeError naming the field', () => {
  const good = DMA_PRESETS['map-iommu'].params;
  const bad: [string, unknown, RegExp][] = [
    ['pageSize', { ...good, pageSize: 3000 }, /pageSize/],
    ['pageSize small', { ...good, pageSize: 128 }, /pageSize/],
    ['buffer missing', { ...good, buffer: null }, /buffer/],
    ['buffer len', { ...good, buffer: { ...good.buffer, len: 0 } }, /len/],
    ['buffer pages', { ...good, buffer: { ...good.buffer, pfns: [1, 2, 3] } }, /touches 4 pages/],
    ['buffer duplicates', { ...good, buffer: { ...good.buffer, pfns: [1, 2, 1, 3] } }, /distinct/],
    ['buffer offset', { ...good, buffer: { ...good.buffer, offset: 4096 } }, /offset/],
    ['sgMaxSegment', { ...good, sgMaxSegment: 2048 }, /sgMaxSegment/],
    ['maxSegSize', { ...good, maxSegSize: 0 }, /maxSegSize/],
    ['maxSegSize big', { ...good, maxSegSize: 2 ** 32 }, /maxSegSize/],
    ['segBoundaryMask', { ...good, segBoundaryMask: 0x3000 }, /segBoundaryMask/],
    ['segBoundaryMask small', { ...good, segBoundaryMask: 0x7ff }, /segBoundaryMask/],
    ['iommu', { ...good, iommu: { enabled: 'yes' } }, /iommu/],
    ['granule', { ...good, iommu: { ...good.iommu, granule: 8192 } }, /granule/],
    ['iovaBase', { ...good, iommu: { ...good.iommu, iovaBase: 0x100800 } }, /iovaBase/],
    ['iovaBase zero', { ...good, iommu: { ...good.iommu, iovaBase: 0 } }, /iovaBase/],
    ['maxDescLen', { ...good, device: { ...good.device, maxDescLen: 0 } }, /maxDescLen/],
    ['maxTransfer', { ...good, device: { ...good.device, maxTransfer: 1.5 } }, /maxTransfer/],
    ['dir', { ...good, dir: 'DMA_NONE' }, /dir/],
    ['api', { ...good, api: 'pci_map_sg' }, /api/],
    ['unmapNents', { ...good, unmapNents: 'count' }, /unmapNents/],
  ];
  for (const [name, p, re] of bad) {
    it(name, () => {
      expect(() => dmaModel.initialState(p as DmaParams, 0)).toThrow(RangeError);
      expect(() => dmaModel.initialState(p as DmaParams, 0)).toThrow(re);
    });
  }

  it('accepts a disabled IOMMU whatever its base and granule', () => {
    expect(() => dmaModel.initialState({ ...good, iommu: { enabled: false, iovaBase: 0, granule: 0 } }, 0)).not.toThrow();
  });
});

describe('dma-debug segment checks in the model', () => {
  it('reports entries longer than max_seg_size when the table was built without the device\'s limit', () => {
    const p = params({ buffer: { pfns: [0x100, 0x101, 0x102, 0x103, 0x200], offset: 0, len: 5 * 4096 }, maxSegSize: 8 * KiB });
    const states = run(p);
    const ret = states.find((s) => s.event?.source?.fn === 'dma_map_sg_attrs')!;
    expect(ret.event?.narration).toBe(
      'dma_map_sg returns 2, the nents it was given: dma-direct merges nothing; dma-debug reports "mapping sg segment longer than device claims to support [len=16384] [max=8192]".',
    );
    expect(last(states).reports.map((r) => [r.kind, r.entry])).toEqual([['segment-too-long', 0]]);
    // Building the table with max_segment = dma_get_max_seg_size avoids it.
    expect(last(run({ ...p, sgMaxSegment: 8 * KiB })).reports).toEqual([]);
  });

  it('hides the mapped-count bug without an IOMMU', () => {
    const states = run(params({ buffer: { pfns: [0x10, 0x40], offset: 0, len: 8192 }, unmapNents: 'mapped' }));
    expect(last(states).reports).toEqual([]);
    expect(states.find((s) => s.event?.source?.fn === 'dma_direct_unmap_sg')?.event?.narration).toBe(
      'The driver passes dma_unmap_sg the count dma_map_sg returned (2); dma-direct never merges, so it equals the original nents and the bug stays hidden: dma_direct_unmap_sg hands both entries back to the CPU.',
    );
  });

  it('names dma_map_sgtable\'s version of the bug: sgt->nents passed to dma_unmap_sg', () => {
    const states = run({ ...DMA_PRESETS['max-segment'].params, unmapNents: 'mapped' });
    const n = states.find((s) => s.event?.source?.fn === 'iommu_dma_unmap_sg')?.event?.narration;
    expect(n).toMatch(/^The driver passes dma_unmap_sg sgt->nents \(4\) instead of sgt->orig_nents \(5\)/);
    expect(last(states).reports[0].message).toBe('device driver frees DMA sg list with different entry count [map count=5] [unmap count=4]');
  });
});

describe('words', () => {
  it('formats sizes and frame lists', () => {
    expect([1, 100, 1024, 4096, 3532, 1 << 20, 3 << 20].map(fmtBytes)).toEqual(['1 byte', '100 bytes', '1 KiB', '4 KiB', '3532 bytes', '1 MiB', '3 MiB']);
    expect(pfnsText([0x10])).toBe('pfn 0x10');
    expect(pfnsText([0x10, 0x11, 0x12])).toBe('pfns 0x10–0x12');
    expect(pfnsText([0x10, 0x40, 0x40])).toBe('pfns 0x10 and 0x40');
    expect(pfnsText([0x10, 0x40, 0x11])).toBe('pfns 0x10, 0x40 and 0x11');
  });

  it('every step names a source with version 6.12 or none, and narrates one sentence ending in a full stop', () => {
    for (const preset of Object.values(DMA_PRESETS)) {
      for (const s of run(preset.params).slice(1)) {
        const e = s.event!;
        expect(e.narration.endsWith('.')).toBe(true);
        if (e.source) expect(e.source.version).toBe('6.12');
        expect(['driver', 'device']).toContain(e.actor);
      }
    }
  });
});

describe('the public API (index.ts)', () => {
  it('exposes the model, the presets and the pure functions', () => {
    expect(api.dmaModel.id).toBe('dma');
    expect(Object.keys(api.DMA_PRESETS)).toEqual(['sg-build', 'map-direct', 'map-iommu', 'max-segment', 'unmap-bug', 'chunked-transfer']);
    expect(api.sched('D', 'V2')).toEqual([{ kind: 'driver' }, { kind: 'device' }, { kind: 'device' }]);
    expect(() => api.sched('X')).toThrow(/bad schedule code/);
    for (const f of [api.sgAllocTableFromPages, api.sgFromPages, api.dmaMapSgDirect, api.dmaMapSgIommu, api.dmaMapSgtable, api.dmaUnmapSg, api.toDescriptors, api.splitTransfer, api.forEachSgtableSg, api.forEachSgtableDmaSg]) {
      expect(typeof f).toBe('function');
    }
  });
});
