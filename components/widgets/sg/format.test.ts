import { describe, expect, it } from 'vitest';
import { dmaModel, DMA_PRESETS } from '../../../sims/dma/index.ts';
import * as words from './format.ts';
import { presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(dmaModel, DMA_PRESETS);

describe('sg words', () => {
  it('formats addresses and sizes', () => {
    expect(words.hex(0x1a3234)).toBe('0x1a3234');
    expect(words.hex(0)).toBe('0x0');
    expect(words.bytesText(1)).toBe('1 byte');
    expect(words.bytesText(3532)).toBe('3532 bytes');
    expect(words.bytesText(8192)).toBe('8 KiB');
    expect(words.bytesText(2 << 20)).toBe('2 MiB');
    expect(words.sizeAdj(20916)).toBe('20916-byte');
    expect(words.sizeAdj(40960)).toBe('40 KiB');
  });

  it('colours entries with the site variables, cycling over four', () => {
    expect(words.entryColor(0)).toBe('var(--w0, #2563eb)');
    expect(words.entryColor(5)).toBe(words.entryColor(1));
  });

  it('narrates the initial state and names kernel sources', () => {
    const [s0, s1, s2] = run('map-iommu');
    expect(words.narrationOf(s0)).toBe('Start: the driver holds a pinned 12724-byte buffer on 4 pages and will move it to the device behind an IOMMU.');
    expect(words.narrationOf(run('chunked-transfer')[0])).toContain('in 3 commands of at most 16 KiB');
    expect(words.sourceText(s0.event)).toBeNull();
    expect(words.sourceText(s1.event)).toBeNull(); // the driver's own loop
    expect(words.sourceText(s2.event)).toBe('lib/scatterlist.c · sg_alloc_table_from_pages_segment() · Linux 6.12');
  });

  it('gives the buffer bytes in each page: first, middle and last', () => {
    const p = DMA_PRESETS['map-direct'].params; // offset 0x234, 3532 + 4096 + 4096 + 1000
    expect(words.pageSpan(p, 0)).toEqual({ from: 0x234, to: 4096, bufferStart: 0 });
    expect(words.pageSpan(p, 1)).toEqual({ from: 0, to: 4096, bufferStart: 3532 });
    expect(words.pageSpan(p, 3)).toEqual({ from: 0, to: 1000, bufferStart: 3532 + 8192 });
  });

  it('follows the chunk loop', () => {
    const states = run('chunked-transfer');
    expect(words.currentChunk(states[0])).toBeNull();
    expect(words.chunkText(states[0])).toBe('before the loop (3 commands)');
    const c1 = words.currentChunk(states[1])!;
    expect(c1).toMatchObject({ index: 0, count: 3, start: 0, len: 16384, firstPage: 0, lastPage: 4 });
    const c2 = words.currentChunk(states[20])!;
    // Command 2 starts 0x800 into page 4, which command 1 ended in.
    expect(c2).toMatchObject({ index: 1, start: 16384, firstPage: 4, lastPage: 8 });
    expect(words.chunkText(states[20])).toBe('command 2 of 3');
    const last = states[states.length - 1];
    expect(words.currentChunk(last)).toBeNull();
    expect(words.chunkText(last)).toBe('done after 3 commands');
  });

  it('says what the driver and the device are doing', () => {
    const states = run('map-iommu');
    expect(words.driverWords(states[0])).toBe('about to take the first chunk');
    expect(words.driverWords(states[11])).toBe('__finalise_sg: entry 1 next');
    expect(words.driverWords(states[20])).toBe('asleep until the completion interrupt');
    expect(words.deviceWords(states[19])).toBe('idle, 4 descriptors posted');
    expect(words.deviceWords(states[21])).toBe('running: descriptor 1 of 4 next');
    expect(words.deviceWords(states[24])).toBe('finished the list: completion interrupt pending');
  });

  it('reports orig_nents, nents and the mapped count', () => {
    const iommu = run('map-iommu');
    expect(words.nentsOf(iommu[0])).toBeNull();
    expect(words.nentsOf(iommu[5])).toEqual({ orig: 4, nents: 4, mapped: null, api: 'dma_map_sg' });
    expect(words.nentsOf(iommu[15])).toEqual({ orig: 4, nents: 4, mapped: 1, api: 'dma_map_sg' });
    expect([0, 1, 2, 3].map((i) => words.entryDmaStatus(iommu[15], i))).toEqual(['mapped', 'beyond', 'beyond', 'beyond']);
    expect(words.entryDmaStatus(iommu[12], 0)).toBe('mapped'); // __finalise_sg has filled entry 0
    expect(words.entryDmaStatus(iommu[12], 2)).toBe('unmapped');
    const sgtable = run('max-segment');
    expect(words.nentsOf(sgtable[21])).toEqual({ orig: 5, nents: 4, mapped: 4, api: 'dma_map_sgtable' });
  });

  it('words the note on entries past the mapped count', () => {
    expect(words.mappedNote(1, 4, 'dma_map_sg')).toBe(
      'Only the first 1 (the value dma_map_sg returned) is valid for the device; dma_unmap_sg still takes orig_nents (4).',
    );
    expect(words.mappedNote(4, 5, 'dma_map_sgtable')).toBe(
      'Only the first 4 (sgt->nents after dma_map_sgtable) are valid for the device; dma_unmap_sgtable still passes orig_nents (5).',
    );
  });

  it('finds the step that raised each dma-debug report', () => {
    const states = run('unmap-bug');
    expect(words.reportSteps(states)).toEqual([26]);
    expect(words.reportsAt(states, 26).map((r) => r.kind)).toEqual(['unmap-count']);
    expect(words.reportsAt(states, 27)).toEqual([]);
    expect(words.reportsAt(states, 0)).toEqual([]);
    expect(words.reportSteps(run('map-iommu'))).toEqual([]);
    expect(words.reportSteps([])).toEqual([]);
    const r = states[26].reports[0];
    expect(words.reportConsequence(r)).toBe(
      'dma_unmap_sg got 1, not orig_nents (4); only the first entry was handed back to the CPU: pfns 0x3c0, 0x2f7 and 0x512 stay device-owned, never synced for the CPU (stale cache lines on a non-coherent CPU).',
    );
  });

  it('shows who owns each frame, so the unmap bug leaves frames device-owned', () => {
    const states = run('unmap-bug');
    expect(words.frameOwner(states[20], 0x1a3)).toBe('device');
    expect(words.frameOwner(states[26], 0x1a3)).toBe('cpu');
    expect(words.frameOwner(states[26], 0x3c0)).toBe('device');
    expect(words.frameOwner(states[26], 0x999)).toBeNull();
    expect(words.frameOwner(states[0], 0x1a3)).toBeNull();
  });

  it('keeps the frames dma-debug found unsynced marked, even after sg_free_table', () => {
    const states = run('unmap-bug');
    expect([...words.staleFrames(states[25])]).toEqual([]);
    expect([...words.staleFrames(states[26])]).toEqual([0x3c0, 0x2f7, 0x512]);
    expect([...words.staleFrames(states[states.length - 1])]).toEqual([0x3c0, 0x2f7, 0x512]);
    const ok = run('map-iommu');
    expect(words.staleFrames(ok[ok.length - 1]).size).toBe(0);
  });

  it('lists the frames of a run in pfn order, and their runs of consecutive frames', () => {
    const frames = words.runFrames(run('sg-build'));
    expect(frames).toEqual([0x1a3, 0x1a4, 0x1a5, 0x2f7, 0x3c0, 0x3c1]);
    expect(words.frameRuns(frames)).toEqual([[0x1a3, 0x1a4, 0x1a5], [0x2f7], [0x3c0, 0x3c1]]);
    expect(words.frameRuns([])).toEqual([]);
    expect(words.runFrames([])).toEqual([]);
    expect(words.pfnList([0x3c0, 0x3c0])).toBe('pfn 0x3c0');
    expect(words.pfnList([])).toBe('no frames');
  });

  it('summarises the parameters', () => {
    expect(words.paramsSummary(DMA_PRESETS['unmap-bug'].params)).toEqual([
      '12724-byte buffer on 4 pages of 4 KiB, starting 0x234 into the first',
      'IOMMU: IOVA from 0x100000, 4 KiB granules',
      'max_seg_size 64 KiB',
      'descriptors ≤ 4 KiB',
      'commands ≤ 256 KiB',
      'dma_map_sg',
      'DMA_FROM_DEVICE',
      'unmaps with the mapped count (bug)',
    ]);
    expect(words.paramsSummary(DMA_PRESETS['max-segment'].params)).toContain('sg max_segment 8 KiB');
  });
});
