import { describe, expect, it } from 'vitest';
import { dmaModel } from '../../../sims/dma/index.ts';
import { DMA_PRESETS } from '../../../sims/dma/index.ts';
import { countsHtml, noSourceText, paramsSummaryHtml, reportsHtml, sgTableHtml, tablesHtml } from './html.ts';
import { reportSteps } from './format.ts';
import { presetRunner, htmlText as text } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(dmaModel, DMA_PRESETS);

describe('sg text views', () => {
  it('says there is no table before the loop and after sg_free_table', () => {
    const states = run('chunked-transfer');
    expect(text(sgTableHtml(states[0]))).toBe('No scatterlist right now: the driver builds one per command.');
    expect(text(sgTableHtml(states[19]))).toBe('No scatterlist right now: sg_free_table freed it; the next command builds a new one.');
    expect(text(sgTableHtml(states[states.length - 1]))).toBe('No scatterlist right now: the last one was freed with sg_free_table.');
    expect(text(countsHtml(states[0]))).toBe('No sg_table at this step, so no nents .');
  });

  it('lists every entry with page, offset and length, then the DMA fields once mapped', () => {
    const states = run('map-direct');
    const built = sgTableHtml(states[5]);
    expect(built.match(/<tr data-entry=/g)).toHaveLength(4);
    expect(text(built)).toContain('sg[0] 0x1a3 0x234 3532 — — CPU');
    const mapped = sgTableHtml(states[10]);
    expect(text(mapped)).toContain('sg[0] 0x1a3 0x234 3532 0x1a3234 3532 device');
    expect(text(mapped)).toContain('sg[3] 0x512 0x0 1000 0x512000 1000 device');
    expect(mapped).not.toContain('sg-beyond');
    expect(mapped).not.toContain('beyondnote');
  });

  it('greys the entries past the mapped count and says only the first N are valid', () => {
    const states = run('map-iommu');
    const html = sgTableHtml(states[15]);
    expect(html.match(/class="sg-beyond"/g)).toHaveLength(3);
    expect(html).toContain('<tr data-entry="0" data-status="mapped">');
    expect(html).toContain('<tr data-entry="1" data-status="beyond" class="sg-beyond">');
    expect(text(html)).toContain('sg[0] 0x1a3 0x234 3532 0x100234 12724 device');
    expect(text(html)).toContain('sg[1] 0x3c0 0x0 4096 not a DMA segment device');
    expect(text(html)).toContain(
      'Only the first 1 (the value dma_map_sg returned) is valid for the device; dma_unmap_sg still takes orig_nents (4).',
    );
  });

  it('shows orig_nents, nents and the mapped count side by side', () => {
    const iommu = run('map-iommu');
    expect(text(countsHtml(iommu[14]))).toContain('dma_map_sg returned not yet');
    const c = countsHtml(iommu[15]);
    expect(c).toContain('sg-differ');
    expect(text(c)).toMatch(/^sgt->orig_nents 4 .* sgt->nents 4 .* dma_map_sg returned 1 /);
    const sgtable = countsHtml(run('max-segment')[21]);
    expect(text(sgtable)).toMatch(/^sgt->orig_nents 5 .* sgt->nents 4 DMA segments, set by dma_map_sgtable/);
    expect(sgtable).not.toContain('dma_map_sg returned');
  });

  it('puts a dma-debug warning under the step that raised it, and a jump back later', () => {
    const states = run('unmap-bug');
    expect(reportsHtml(states, 25)).toBe('');
    const now = reportsHtml(states, 26);
    expect(text(now)).toBe(
      '⚠ dma-debug warning at this step DMA-API: device driver frees DMA sg list with different entry count [map count=4] [unmap count=1] ' +
        'dma_unmap_sg got 1, not orig_nents (4); only the first entry was handed back to the CPU: pfns 0x3c0, 0x2f7 and 0x512 stay device-owned, never synced for the CPU (stale cache lines on a non-coherent CPU).',
    );
    expect(now).not.toContain('data-seek');
    const later = reportsHtml(states, 27);
    expect(later).not.toContain('sg-warn"');
    expect(later).toContain('<button type="button" class="sg-seek" data-seek="26">step 26</button>');
    expect(reportsHtml(states, 99)).toBe('');
    expect(reportsHtml(run('map-iommu'), 28)).toBe('');
  });

  it('has a table view of the whole state', () => {
    const states = run('unmap-bug');
    const t22 = tablesHtml(states[22], reportSteps(states));
    expect(text(t22)).toContain('Command 1 of 1: bytes 0–12723 (12724 bytes) Transferred 0 of 12724 bytes Driver asleep until the completion interrupt');
    expect(text(t22)).toContain('IOMMU: IOVA allocated 0x100000–0x103fff (16 KiB); one row per 4 KiB granule');
    expect(text(t22)).toContain('0x101000 0x3c0000 (pfn 0x3c0) sg[1] segment 0');
    expect(text(t22)).toContain('1 0x101234 4096 segment 0, piece 2 of 4 done');
    expect(text(t22)).toContain('2 0x102234 4096 segment 0, piece 3 of 4 next');
    expect(t22).not.toContain('dma-debug reports so far');
    const end = tablesHtml(states[28], reportSteps(states));
    expect(text(end)).toContain('dma-debug reports so far Step Report 26 DMA-API: device driver frees DMA sg list');
    expect(text(end)).toContain('No IOMMU translations at this step.');
    const direct = tablesHtml(run('map-direct')[10]);
    expect(text(direct)).toContain('No IOMMU: bus address = physical address (dma-direct)');
    expect(text(direct)).toContain('sg[2] 0x2f7000 0x2f7000 (pfn 0x2f7) 4096');
  });

  it('names who acted when a step has no kernel source, and escapes the summary', () => {
    const states = run('map-iommu');
    expect(noSourceText(states[0])).toBe('');
    expect(noSourceText(states[1])).toBe('the driver’s own code (the loop from the original answers), not the kernel’s');
    expect(noSourceText(states[21])).toBe('the device (hardware), not kernel code');
    expect(paramsSummaryHtml(states[0])).toContain('<span>descriptors ≤ 4 KiB</span>');
  });
});
