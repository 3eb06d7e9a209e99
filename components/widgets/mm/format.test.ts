/** Words and derived facts of the memory widget (format.ts), on the model's presets. */
import { describe, expect, it } from 'vitest';
import { MM_PRESETS, mmModel, walk } from '../../../sims/mm/index.ts';
import * as words from './format.ts';
import { presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(mmModel, MM_PRESETS);

describe('addresses', () => {
  it('splits 0x7f0000001234 into 9/9/9/9/12 fields, PGD first', () => {
    const f = words.addressFields(0x7f0000001234);
    expect(f.map((x) => [x.field, x.hi, x.lo, x.value])).toEqual([
      ['pgd', 47, 39, 254],
      ['pud', 38, 30, 0],
      ['pmd', 29, 21, 0],
      ['pte', 20, 12, 1],
      ['offset', 11, 0, 0x234],
    ]);
    expect(f[0].bits).toBe('011111110');
    expect(f[4].bits).toBe('001000110100');
    expect(f.map((x) => x.bits).join('')).toBe(0x7f0000001234.toString(2).padStart(48, '0'));
    expect(words.hex48(0x1000)).toBe('0x000000001000');
  });

  it('parses hex and decimal, with separators', () => {
    expect(words.parseAddress(' 0x7f00_0000_1234 ')).toEqual({ ok: true, va: 0x7f0000001234 });
    expect(words.parseAddress('4096')).toEqual({ ok: true, va: 4096 });
    expect(words.parseAddress('0X1F')).toEqual({ ok: true, va: 31 });
  });

  it('refuses non-numbers, non-canonical, kernel and over-64-bit addresses with a sentence', () => {
    const err = (t: string) => {
      const r = words.parseAddress(t);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(err('')).toMatch(/Type an address/);
    expect(err('hello')).toMatch(/not an address/);
    expect(err('0x800000000000')).toMatch(/not canonical/);
    expect(err('0xffff800000000000')).toMatch(/kernel address/);
    expect(err('0x1ffffffffffffffff')).toMatch(/64 bits/);
    expect(err('-5')).toMatch(/not an address/);
  });

  it('quotes at most a short piece of a very long input (a 100,000-character paste fits its card)', () => {
    for (const t of ['1'.repeat(100_000), `0x${'f'.repeat(100_000)}`, 'z'.repeat(100_000)]) {
      const r = words.parseAddress(t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length, r.error.slice(0, 80)).toBeLessThan(160);
    }
    const r = words.parseAddress('1'.repeat(100_000));
    if (!r.ok) expect(r.error).toBe('“111111111111111111111111…” (100000 digits) does not fit in 64 bits.');
  });

  it('walks a typed address, or says why not; never throws', () => {
    const s = run('translate').at(-1)!;
    const ok = words.walkTyped(s, '0x7f0000001234');
    expect(ok.ok && ok.walk.outcome).toMatchObject({ kind: 'mapped', pfn: 6, physAddr: 0x6234 });
    const outside = words.walkTyped(s, '0x1000');
    expect(outside.ok && outside.note).toMatch(/none of process 0's mappings.*SIGSEGV/);
    expect(words.walkTyped(s, '0x800000000000')).toMatchObject({ ok: false });
    expect(words.walkTyped(s, '0x1000', 2)).toEqual({ ok: false, error: 'Process 2 has exited: it has no page tables to walk.' });
  });
});

describe('the address the translation view walks', () => {
  it('is the step’s own access, then the latest earlier one, else the preset’s first', () => {
    const states = run('translate');
    expect(words.accessAt(states, 0)).toEqual({ pid: 0, va: 0x7f0000001234, from: 'preset' });
    expect(words.accessAt(states, 1)).toEqual({ pid: 0, va: 0x7f0000001234, from: 'this-step' });
    const dma = run('dma-without-pin');
    // Step 4 is the driver's pfn lookup at the buffer; step 6 the device (no access).
    expect(words.accessAt(dma, 4)).toMatchObject({ va: 0x7f0000000000, from: 'this-step' });
    expect(words.accessAt(dma, 6)).toMatchObject({ va: 0x7f0000000000, from: 'earlier' });
    expect(words.accessAt(dma, 12)).toMatchObject({ va: 0x7f0000001000, from: 'this-step' });
  });

  it('falls back to process 0 when the accessing process has exited', () => {
    const states = run('cow-after-fork');
    const last = states.length - 1; // the child's exit
    expect(words.accessAt(states, last).pid).toBe(0);
  });
});

describe('frames and pages', () => {
  it('pincount is refcount / 1024 rounded down', () => {
    expect([0, 1, 1023, 1024, 1025, 2049].map(words.pinCountOf)).toEqual([0, 0, 0, 1, 1, 2]);
  });

  it('names contents, including stale data in a freed frame', () => {
    const last = run('dma-without-pin').at(-1)!;
    expect(words.contentsMarker(last.frames[0])).toBe('zero');
    expect(words.contentsText(last.frames[7])).toBe('free (stale "DMA1")');
    expect(words.contentsText(last.frames[15])).toBe('anonymous page, "P0"');
    expect(words.contentsMarker(last.frames[3])).toBe('');
  });

  it('maps every page of every live process to its PTE', () => {
    const s = run('cow-after-fork')[3]; // after the fork and the child's read
    const rows = words.pageRows(s);
    expect(rows.filter((r) => r.pid === 1).length).toBe(6);
    const p0 = rows.find((r) => r.pid === 0 && r.va === 0x7f0000000000)!;
    const p1 = rows.find((r) => r.pid === 1 && r.va === 0x7f0000000000)!;
    expect(p0).toMatchObject({ status: 'mapped', pfn: 6, writable: false, buffer: true });
    expect(p1).toMatchObject({ status: 'mapped', pfn: 6, buffer: false });
    expect(rows.find((r) => r.vma === 'data.bin')).toMatchObject({ status: 'none', pfn: null });
  });

  it('a swapped-out page shows its slot', () => {
    const s = run('swap-out')[2];
    expect(words.pageRows(s).find((r) => r.va === 0x7f0000000000)).toMatchObject({ status: 'swap', swapSlot: 0, pfn: null });
  });

  it('describes the machine', () => {
    expect(words.machineText(MM_PRESETS['dma-without-pin'].params)).toBe(
      '16 frames of 4 KiB: pfn 0–5 ZONE_NORMAL (pfn 0 is the zero page), pfn 6–15 ZONE_MOVABLE · 4 swap slots · compaction may run once',
    );
  });

  it('has a sentence for the initial state', () => {
    expect(words.narrationOf(run('translate')[0])).toMatch(/^Start: process 0 has mapped buf at 0x7f0000000000 and data\.bin at 0x7f0000200000/);
  });
});

describe('driver calls, DMA and moves', () => {
  it('pin_user_pages returned 2 of 4, then -EFAULT', () => {
    const states = run('partial-pin');
    const calls = words.driverCalls(states, states.length - 1);
    const script = states[0].params.driver;
    expect(calls.map((c) => [c.step, c.ret, c.retKind])).toEqual([
      [1, null, null],
      [2, '2', 'partial'],
      [3, null, null],
      [4, '-EFAULT', 'error'],
      [5, null, null],
    ]);
    expect(words.retSentence(calls[1], script[1])).toBe('returned 2 of 4');
    expect(words.retSentence(calls[3], script[3])).toBe('returned -EFAULT');
    // Before the calls are made they are still to come.
    expect(words.driverCalls(states, 1).map((c) => c.step)).toEqual([1, null, null, null, null]);
  });

  it('marks the write into the freed frame as lost, and the rest pending until written', () => {
    const states = run('dma-without-pin');
    expect(words.dmaTargets(states[5]).map((t) => [t.pfn, t.status])).toEqual([
      [6, 'pending'],
      [7, 'pending'],
      [8, 'pending'],
    ]);
    expect(words.dmaTargets(states[8]).map((t) => [t.pfn, t.status])).toEqual([
      [6, 'ok'],
      [7, 'freed'],
      [8, 'pending'],
    ]);
  });

  it('sees compaction as a migration and a COW fault as a copy', () => {
    const dma = run('dma-without-pin');
    expect(words.pageMoves(dma[6], dma[7])).toEqual([{ pid: 0, va: 0x7f0000001000, from: 7, to: 15, reason: 'migrated' }]);
    expect(words.pageMoves(dma[7], dma[8])).toEqual([]);
    const cow = run('cow-after-fork');
    expect(words.pageMoves(cow[3], cow[4])).toEqual([{ pid: 0, va: 0x7f0000000000, from: 6, to: 7, reason: 'copied' }]);
    expect(words.pageMoves(null, cow[1])).toEqual([]);
  });

  it('the walk of the translate preset ends at physical address 0x6234', () => {
    const s = run('translate')[2];
    expect(walk(s, 0x7f0000001234).outcome).toMatchObject({ kind: 'mapped', physAddr: 0x6234 });
  });
});
