import { describe, expect, it } from 'vitest';
import { uioModel, UIO_PRESETS } from '../../../sims/uio/index.ts';
import { interruptTableHtml, mapsTableHtml, registersTableHtml, statusHtml, tablesHtml } from './html.ts';
import { lacks, presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(uioModel, UIO_PRESETS);

describe('uio table view', () => {
  it('has a table per part of the state, each with a caption and header cells', () => {
    const s = run('wrong-iova-vfio');
    const html = tablesHtml(s[16], s[15]);
    for (const cap of ['registers', 'Interrupts and read()', 'VFIO regions', 'Physical memory', 'IOMMU mappings', 'IOMMU faults', 'DMA writes', 'Process B’s pages', 'What process B read']) {
      expect(html).toContain(cap);
    }
    expect(html.match(/<table/g)!.length).toBe(html.match(/<caption>/g)!.length);
    expect(html).toContain('<th scope="col">');
  });

  it('lists registers with the changed one marked', () => {
    const s = run('uio-read-blocks');
    const html = registersTableHtml(s[5], s[4]);
    expect(html).toContain('<code>0x2000</code> <span class="uio-changed-tag">(changed)</span>');
  });

  it('lists maps with memtype, sysfs addr and the mmap offset that selects them', () => {
    const s = run('mmap-offsets');
    const html = mapsTableHtml(s[s.length - 1]);
    expect(lacks(html, ['<code>UIO_MEM_LOGICAL (2)</code>', '<code>0x2000</code> = 2 × 4096', '<code>0xffff888000002000</code>'])).toEqual([]);
  });

  it('shows the count, the line and what each file saw', () => {
    const s = run('irqcontrol-reenable');
    const html = interruptTableHtml(s[14]);
    expect(lacks(html, ['disabled, 1 pending', 'fd 3 last saw</th><td>1', 'Lost while the line was disabled</th><td>1'])).toEqual([]);
  });

  it('says what the DMA did under the caption, and keeps B’s damage after its step', () => {
    const s = run('wrong-bus-address-no-iommu');
    expect(statusHtml(s[12])).toBe('');
    expect(statusHtml(s[13])).toContain("<strong>B&#39;s page overwritten</strong>");
    expect(statusHtml(s[15])).toContain('B’s page overwritten</strong> at step 13');
    const v = run('wrong-iova-vfio');
    expect(statusHtml(v[9])).toContain('IOMMU fault: nothing written');
    expect(statusHtml(v[9])).toContain('DMAR: [DMA Write] Request device [03:00.0] fault addr 0x2000: no mapping');
  });
});
