import { describe, expect, it } from 'vitest';
import { coherenceModel, COHERENCE_PRESETS } from '../../../sims/dma/index.ts';
import { platformHtml, programHtml, tablesHtml, verdictHtml } from './html.ts';
import { lacks, presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(coherenceModel, COHERENCE_PRESETS);

describe('coherence widget HTML', () => {
  it('puts each finding under the call that caused it', () => {
    const states = run('debug-checker');
    const end = states[states.length - 1];
    const html = programHtml(end);
    const items = html.split('<li class="coh-call').slice(1);
    expect(items).toHaveLength(end.params.program.length + 1);
    for (const f of end.findings) expect(items[f.pc]).toContain(`data-rule="${f.rule}"`);
    expect(items[end.params.program.length]).toContain('driver unbind');
    expect(items[end.params.program.length]).toContain('coh-finding-now');
    expect(html).toContain('7 findings so far');
  });

  it('marks the call that just ran and the next one', () => {
    const states = run('rx-no-sync-arm');
    const html = programHtml(states[2]);
    expect(html).toMatch(/coh-call coh-call-ran[^>]*data-pc="1"/);
    expect(html).toMatch(/coh-call coh-call-next[^>]*data-pc="2"/);
    expect(programHtml(states[5])).toContain('sleeping until the interrupt');
  });

  it('says stale data, old bytes sent, or right', () => {
    const v = (k: string) => {
      const s = run(k);
      return verdictHtml(s[s.length - 1], true);
    };
    expect(v('rx-no-sync-arm')).toContain('data-verdict="stale"');
    expect(v('rx-no-sync-arm')).toContain('Stale data');
    expect(v('tx-no-clean-arm')).toContain('Old bytes sent');
    expect(v('rx-correct')).toContain('Right data');
    expect(v('rx-correct')).toContain('checker silent');
  });

  it('has tables with the same state as the diagrams', () => {
    const states = run('fails-with-swiotlb');
    expect(lacks(tablesHtml(states[3]), ['swiotlb bounce slots', 'bounces 0x40', 'handle 0x20 (swiotlb slot)'])).toEqual([]);
    expect(lacks(tablesHtml(states[states.length - 1]), ['stale data', 'cpu-touch-device-owned'])).toEqual([]);
    expect(platformHtml(states[0])).toContain('x86 with swiotlb');
  });
});
