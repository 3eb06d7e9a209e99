/** The memory widget's text views (html.ts): tables, driver calls, the pin check. */
import { describe, expect, it } from 'vitest';
import { MM_PRESETS, mmModel, walk } from '../../../sims/mm/index.ts';
import { choiceHtmlFor, driverCallsHtml, framesTableHtml, pagesTableHtml, pinCheckHtml, tablesHtml, walkTableHtml } from './html.ts';
import { presetRunner, htmlText as text } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(mmModel, MM_PRESETS);

describe('tables', () => {
  it('walk table: one row per level, the offset, and the physical address', () => {
    const s = run('translate')[2];
    const html = walkTableHtml({ pid: 0, walk: walk(s, 0x7f0000001234), why: 'the address this step uses' });
    const t = text(html);
    expect(t).toContain('Page-table walk of 0x7f0000001234 in process 0 (the address this step uses)');
    expect(t).toContain('PGD bits 47–39: 011111110 254 present: points to a PUD table');
    expect(t).toContain('PTE bits 20–12: 000000001 1 present: pfn 6, writable');
    expect(t).toContain('offset bits 11–0: 001000110100 564 (0x234)');
    expect(t).toContain('→ pfn 6 × 4096 + offset 0x234 = physical address 0x6234.');
  });

  it('walk table of an address with no PTE yet stops at the level that is missing', () => {
    const s = run('translate')[0];
    const t = text(walkTableHtml({ pid: 0, walk: walk(s, 0x7f0000001234), why: 'x' }));
    expect(t).toContain('PGD bits 47–39: 011111110 254 none: the walk stops here');
    expect(t).toContain('PUD bits 38–30: 000000000 0 not reached');
    expect(t).toContain('has no PGD entry yet');
  });

  it('frames table: zone, contents, refcount, pincount, mappers and DMA', () => {
    const states = run('dma-with-pin');
    const pinned = states.find((s) => s.frames.some((f) => f.pincount > 0))!;
    const t = text(framesTableHtml(pinned));
    expect(t).toMatch(/pincount = refcount \/ 1024/);
    const f = pinned.frames.find((x) => x.pincount > 0)!;
    expect(t).toContain(`${f.pfn} NORMAL anonymous page, "P0" 1025 1 P0 0x7f`);
    const lost = text(framesTableHtml(run('dma-without-pin')[8]));
    expect(lost).toContain('7 MOVABLE free (stale "DMA1") 0 0 none page 2: lost write: the device wrote into a freed frame');
    expect(framesTableHtml(run('dma-without-pin')[8])).toContain('data-lost="true"');
  });

  it('frames table: runs of empty frames in one zone share a row; a frame with stale data keeps its own', () => {
    const s0 = run('dma-without-pin')[0];
    const t0 = text(framesTableHtml(s0));
    expect(t0).toContain('0 NORMAL the shared zero page 1 0 none —');
    expect(t0).toContain('1–5 NORMAL free (5 frames) 0 0 none —');
    expect(t0).toContain('6–15 MOVABLE free (10 frames) 0 0 none —');
    expect(framesTableHtml(s0).match(/<tr data-use/g)).toHaveLength(3);
    // The freed frame with the device's stale write is a row of its own, between runs.
    const t8 = text(framesTableHtml(run('dma-without-pin')[8]));
    expect(t8).toMatch(/ 7 MOVABLE free \(stale "DMA1"\)/);
    expect(t8).not.toMatch(/\d+–\d+ MOVABLE free \(\d+ frames\)[^]*\d+–7 /);
  });

  it('pages table: each page of each process and its PTE', () => {
    const t = text(pagesTableHtml(run('swap-out')[2]));
    expect(t).toContain('P0 buf 0 (buffer) 0x7f0000000000 swap entry, slot 0');
    expect(t).toContain('P0 data.bin 0 0x7f0000200000 no PTE (pte_none)');
    const exited = text(pagesTableHtml(run('cow-after-fork').at(-1)!));
    expect(exited).toContain('process 1 has exited: no pages left.');
  });

  it('the whole table view has the walk, the pages and the frames', () => {
    const s = run('translate')[1];
    const html = tablesHtml(s, { pid: 0, walk: walk(s, 0x7f0000001234), why: 'w' });
    expect(html.match(/<table/g)).toHaveLength(3);
    expect(tablesHtml(s, null).match(/<table/g)).toHaveLength(2);
  });
});

describe('driver calls and the pin check', () => {
  it('lists the calls with what they returned, and the calls to come', () => {
    const states = run('partial-pin');
    const t = text(driverCallsHtml(states, 2));
    expect(t).toContain('step 2 pin_user_pages(0x7f0000000000, 4, FOLL_WRITE, pages) returned 2 of 4');
    expect(t).toContain('to come pin_user_pages(0x7f0000002000, 1, FOLL_WRITE, pages)');
    expect(text(driverCallsHtml(states, 4))).toContain('returned -EFAULT');
    expect(driverCallsHtml(run('translate'), 0)).toBe('');
  });

  it('shows definite problems mid-run and the full report at the end', () => {
    const states = run('dma-without-pin');
    expect(pinCheckHtml(states[6], false)).toBe('');
    const mid = text(pinCheckHtml(states[8], false));
    expect(mid).toContain('checkPins so far: 1 problem');
    expect(mid).toContain('The device wrote page 1 into pfn 7');
    expect(mid).not.toContain('never marked dirty');
    const end = text(pinCheckHtml(states.at(-1)!, true));
    expect(end).toContain('checkPins: 3 problems');
    expect(end).toContain('never marked dirty');
    const ok = run('dma-with-pin');
    expect(text(pinCheckHtml(ok.at(-1)!, true))).toContain('checkPins: the driver’s books balance (nr_foll_pin_acquired 6, nr_foll_pin_released 6)');
    expect(pinCheckHtml(run('translate')[2], true)).toBe('');
  });

  it('scheduler buttons name the actor and escape the label', () => {
    const s = run('dma-without-pin')[3];
    const html = choiceHtmlFor(s, mmModel.enabled(s)[1], 1);
    expect(html).toMatch(/^<button type="button" class="sim-btn sim-choice" data-choice="1" data-kind="driver" style="--wc:var\(--accent, #1f5fd1\)">driver: /);
  });
});
