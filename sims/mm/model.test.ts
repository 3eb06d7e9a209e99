import { describe, expect, it } from 'vitest';
import { replay, runToEnd } from '../core/model.ts';
import { explore } from '../explore/explore.ts';
import { EFAULT, EINVAL, ENOMEM, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS } from './constants.ts';
import { canonicalKey, checkPins, createSession, initialState, mmModel, stepUnchecked, validateParams } from './index.ts';
import { BUF, FILE_MAP, MM_PRESETS } from './presets.ts';
import type { MmChoice, MmParams, MmState, ProcessOp } from './types.ts';
import { PAGE_MASK, joinVirtualAddress, offsetInPage, pageBase, pageSpan, splitVirtualAddress, walk } from './walk.ts';

// ---------------------------------------------------------------------------------------
// Helpers

const PG = 4096;
const page = (i: number): number => BUF + i * PG;

function params(over: Partial<MmParams> = {}): MmParams {
  return {
    pageSize: 4096,
    frames: 16,
    normalFrames: 6,
    swapSlots: 4,
    vmas: [
      { start: BUF, length: 4 * PG, kind: 'anon', prot: 'rw', name: 'buf' },
      { start: FILE_MAP, length: 2 * PG, kind: 'file', prot: 'r', file: 'data.bin', name: 'data.bin' },
    ],
    programs: [[]],
    driver: [],
    kernel: { compaction: false, swap: false, maxEvents: 0 },
    ...over,
  };
}

const rd = (va: number): ProcessOp => ({ kind: 'read', va });
const wr = (va: number): ProcessOp => ({ kind: 'write', va });
const P = (pid: number, op: ProcessOp): MmChoice => ({ actor: 'process', pid, op });
const DRV: MmChoice = { actor: 'driver' };
const DEV: MmChoice = { actor: 'device' };

function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1];
}

function narrations(states: MmState[]): (string | undefined)[] {
  return states.slice(1).map((s) => s.event?.narration);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** A session on `params` with process 0 having written `n` pages of buf (pfns 6.. in ZONE_MOVABLE). */
function filled(n: number, over: Partial<MmParams> = {}) {
  const k = createSession(params(over));
  for (let i = 0; i < n; i++) k.touch(page(i), true);
  return k;
}

// ---------------------------------------------------------------------------------------

describe('virtual addresses', () => {
  it('splits 48-bit addresses 9/9/9/9/12', () => {
    expect(splitVirtualAddress(0x7f001234)).toEqual({ pgd: 0, pud: 1, pmd: 504, pte: 1, offset: 0x234, half: 'user' });
    expect(splitVirtualAddress(0x7f0000001234)).toEqual({ pgd: 254, pud: 0, pmd: 0, pte: 1, offset: 0x234, half: 'user' });
    expect(splitVirtualAddress(0x7fffffffffff)).toEqual({ pgd: 255, pud: 511, pmd: 511, pte: 511, offset: 0xfff, half: 'user' }); // the user half is PGD[0..255]
    expect(splitVirtualAddress(0)).toEqual({ pgd: 0, pud: 0, pmd: 0, pte: 0, offset: 0, half: 'user' });
    // Kernel-half addresses need a bigint (they are beyond 2^53).
    expect(splitVirtualAddress(0xffff888000001234n)).toEqual({ pgd: 273, pud: 0, pmd: 0, pte: 1, offset: 0x234, half: 'kernel' });
    expect(splitVirtualAddress(0x7f0000001234n)).toEqual(splitVirtualAddress(0x7f0000001234));
  });

  it('rejects non-canonical and malformed addresses with RangeError', () => {
    for (const bad of [2 ** 47, 0x800000000000, -1, 1.5, Number.NaN, 2 ** 53 + 2]) expect(() => splitVirtualAddress(bad)).toThrow(RangeError);
    for (const bad of [0x0000800000000000n, 0xffff7fffffffffffn, 1n << 64n, -1n]) expect(() => splitVirtualAddress(bad)).toThrow(RangeError);
    expect(() => splitVirtualAddress('0x1000' as unknown as number)).toThrow(RangeError);
  });

  it('joinVirtualAddress inverts the split for user addresses', () => {
    for (const va of [0x7f001234, 0x7f0000001234, 0x7fffffffffff, 0x1000, 0x5555_5555_4321]) {
      expect(joinVirtualAddress(splitVirtualAddress(va))).toBe(va);
    }
    expect(() => joinVirtualAddress({ pgd: 256, pud: 0, pmd: 0, pte: 0, offset: 0 })).toThrow(RangeError);
    expect(() => joinVirtualAddress({ pgd: 0, pud: 512, pmd: 0, pte: 0, offset: 0 })).toThrow(RangeError);
  });

  it('offset_in_page is addr & ~PAGE_MASK; addr & PAGE_MASK is the page base (the seed\'s bug)', () => {
    expect(offsetInPage(0x7f001234)).toBe(0x234);
    expect(pageBase(0x7f001234)).toBe(0x7f001000);
    expect(BigInt(0x7f001234) & PAGE_MASK).toBe(0x7f001000n); // what `first_page_offset = udata & PAGE_MASK` computes
    expect(BigInt(0x7f001234) & ~PAGE_MASK & 0xffffffffffffffffn).toBe(0x234n);
    expect(pageBase(0x7f0000001234)).toBe(0x7f0000001000); // no 32-bit truncation
    expect(() => offsetInPage(-4)).toThrow(RangeError);
  });

  it('pageSpan counts DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE) pages', () => {
    expect(pageSpan(0x7f001234, 0x2000)).toEqual({ first: 0x7f001000, last: 0x7f003000, offset: 0x234, npages: 3 });
    expect(pageSpan(0x7f001000, 0x2000)).toEqual({ first: 0x7f001000, last: 0x7f002000, offset: 0, npages: 2 });
    expect(pageSpan(0x7f001fff, 2)).toEqual({ first: 0x7f001000, last: 0x7f002000, offset: 0xfff, npages: 2 });
    expect(pageSpan(0x7f001000, 0)).toEqual({ first: 0x7f001000, last: null, offset: 0, npages: 0 });
    expect(pageSpan(0x7f001000, 1)).toMatchObject({ npages: 1, last: 0x7f001000 });
    expect(() => pageSpan(0x1000, -1)).toThrow(RangeError);
    expect(() => pageSpan(0x1000, 0.5)).toThrow(RangeError);
  });
});

describe('page-table walk', () => {
  it('stops at the PGD in an empty address space', () => {
    const s = initialState(params());
    const w = walk(s, 0x7f0000001234);
    expect(w.steps).toEqual([{ level: 'pgd', table: 0, index: 254, bits: [47, 39], entry: null }]);
    expect(w.outcome).toEqual({ kind: 'not-present', level: 'pgd', reason: 'none', swapSlot: null });
  });

  it('walks four levels to the frame and the physical address', () => {
    const states = replay(mmModel, MM_PRESETS.translate.params, 0, MM_PRESETS.translate.schedule);
    const w = walk(last(states), 0x7f0000001234);
    expect(w.steps.map((st) => [st.level, st.table, st.index, st.bits])).toEqual([
      ['pgd', 0, 254, [47, 39]],
      ['pud', 1, 0, [38, 30]],
      ['pmd', 2, 0, [29, 21]],
      ['pte', 3, 1, [20, 12]],
    ]);
    expect(w.steps[3].entry).toEqual({ present: true, pfn: 6, writable: true, dirty: true, accessed: true, swap: null });
    expect(w.outcome).toEqual({ kind: 'mapped', pfn: 6, physAddr: 0x6234, writable: true, zeroPage: false });
    // The neighbouring page shares every table but has no PTE.
    expect(walk(last(states), 0x7f0000002000).outcome).toEqual({ kind: 'not-present', level: 'pte', reason: 'none', swapSlot: null });
    // Another PMD entry: the walk stops at the PMD level.
    expect(walk(last(states), FILE_MAP).outcome).toMatchObject({ kind: 'not-present', level: 'pmd' });
  });

  it('the page tables are a sparse tree: a mapping 2 MiB away gets its own PTE table', () => {
    const states = replay(mmModel, MM_PRESETS['demand-faults'].params, 0, MM_PRESETS['demand-faults'].schedule);
    const s = last(states);
    expect(walk(s, FILE_MAP).steps.map((st) => st.table)).toEqual([0, 1, 2, 4]);
    expect(walk(s, page(0)).steps.map((st) => st.table)).toEqual([0, 1, 2, 3]);
    expect(s.procs[0].pgtables.map((t) => [t.level, Object.keys(t.entries).map(Number)])).toEqual([
      ['pgd', [254]],
      ['pud', [0]],
      ['pmd', [0, 1]],
      ['pte', [0, 1, 2]],
      ['pte', [0]],
    ]);
    expect(walk(s, page(1)).outcome).toEqual({ kind: 'mapped', pfn: 0, physAddr: 0, writable: false, zeroPage: true });
  });

  it('reports a swap entry, and throws for kernel addresses and unknown processes', () => {
    const states = replay(mmModel, MM_PRESETS['swap-out'].params, 0, MM_PRESETS['swap-out'].schedule.slice(0, 2));
    expect(walk(last(states), page(0)).outcome).toEqual({ kind: 'not-present', level: 'pte', reason: 'swap', swapSlot: 0 });
    expect(() => walk(last(states), 2 ** 47)).toThrow(RangeError);
    expect(() => walk(last(states), page(0), 5)).toThrow(RangeError);
  });
});

describe('golden traces', () => {
  it('dma-without-pin: the device writes into a frame compaction freed', () => {
    const p = MM_PRESETS['dma-without-pin'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    expect(narrations(states)).toEqual([
      'Process 0 writes 0x7f0000000000: no PTE maps the page yet, so do_anonymous_page allocates zeroed frame pfn 6 (ZONE_MOVABLE) and maps it writable, and the store lands in pfn 6.',
      'Process 0 writes 0x7f0000001000: no PTE maps the page yet, so do_anonymous_page allocates zeroed frame pfn 7 (ZONE_MOVABLE) and maps it writable, and the store lands in pfn 7.',
      'Process 0 writes 0x7f0000002000: no PTE maps the page yet, so do_anonymous_page allocates zeroed frame pfn 8 (ZONE_MOVABLE) and maps it writable, and the store lands in pfn 8.',
      'The driver reads the frame numbers of 3 pages at 0x7f0000000000 once, as /proc/self/pagemap reports them, and keeps pfns 6, 7, 8 (ZONE_MOVABLE) without taking any reference.',
      'The driver programs the device to write 3 pages by DMA to pfns 6, 7, 8 (bus address = physical address, no IOMMU); the pages are neither pinned nor referenced.',
      "The device writes page 1 of 3 (\"DMA0\") into pfn 6 by DMA, the frame behind process 0's 0x7f0000000000.",
      "Compaction migrates the page in pfn 7 to pfn 15 (ZONE_MOVABLE): migrate_folio copies it, the PTE of process 0's 0x7f0000001000 now points to pfn 15, and pfn 7 is freed while the device still has it as a DMA target.",
      'The device writes page 2 of 3 ("DMA1") into pfn 7 by DMA, but that frame is free now: the page it was meant for lives elsewhere, so the data is lost.',
      "The device writes page 3 of 3 (\"DMA2\") into pfn 8 by DMA, the frame behind process 0's 0x7f0000002000.",
      "The device raises its completion interrupt and the driver's wait returns: all 3 pages are written.",
      'Process 0 reads 0x7f0000000000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[0] to pfn 6 (ZONE_MOVABLE) and loads "DMA0" from physical address 0x6000.',
      'Process 0 reads 0x7f0000001000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[1] to pfn 15 (ZONE_MOVABLE) and loads "P0" from physical address 0xf000.',
      'Process 0 reads 0x7f0000002000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[2] to pfn 8 (ZONE_MOVABLE) and loads "DMA2" from physical address 0x8000.',
    ]);
    expect(states.map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      'do_anonymous_page',
      'do_anonymous_page',
      'do_anonymous_page',
      'pagemap_read',
      null,
      null,
      'migrate_folio',
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(states.map((s) => s.event?.actor ?? null)).toEqual([null, 0, 0, 0, 'driver', 'driver', 'device', 'kernel', 'device', 'device', 'driver', 0, 0, 0]);
    expect(states[7].event?.source).toEqual({ file: 'mm/migrate.c', fn: 'migrate_folio', version: '6.12' });
    const end = last(states);
    expect(end.procs[0].reads.map((r) => r.data)).toEqual(['DMA0', 'P0', 'DMA2']);
    expect(end.frames[7]).toMatchObject({ use: 'free', refcount: 0, data: 'DMA1' });
    expect(end.frames[15]).toMatchObject({ use: 'anon', refcount: 1, data: 'P0', mappings: [{ pid: 0, va: page(1) }] });
    expect(end.device.log.map((w) => [w.pfn, w.outcome, w.intended])).toEqual([
      [6, 'ok', true],
      [7, 'freed', false],
      [8, 'ok', true],
    ]);
    const rep = checkPins(end);
    expect(rep.ok).toBe(false);
    expect(rep.strayDma.map((w) => w.pfn)).toEqual([7]);
    expect(rep.notDirty).toEqual([6, 8]);
    expect(rep.leakedPins).toEqual([]);
    expect(mmModel.enabled(end)).toEqual([]);
  });

  it('dma-with-pin: FOLL_LONGTERM moves the buffer, compaction skips it, the data arrives', () => {
    const p = MM_PRESETS['dma-with-pin'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    expect(narrations(states).slice(3)).toEqual([
      "The driver calls mmap_read_lock on process 0's mm: page faults may still run, but munmap, fork and exit must wait.",
      'The driver calls pin_user_pages(0x7f0000000000, 3, FOLL_WRITE|FOLL_LONGTERM), which finds pfns 6, 7, 8 in ZONE_MOVABLE, so check_and_migrate_movable_pages unpins the range and migrates them to pfns 1, 2, 3 in ZONE_NORMAL, then pins pfns 1, 2, 3 (refcount 1025 each), and returns 3.',
      'The driver calls mmap_read_unlock.',
      'The driver programs the device to write 3 pages by DMA to pfns 1, 2, 3 (bus address = physical address, no IOMMU); the pages are pinned.',
      "The device writes page 1 of 3 (\"DMA0\") into pfn 1 by DMA, the frame behind process 0's 0x7f0000000000.",
      'Compaction looks at pfn 2 and skips it: its refcount 1025 is far more than the 1 its mapping accounts for, because it is pinned (folio_maybe_dma_pinned() is true), so migration would fail and the page stays put.',
      "The device writes page 2 of 3 (\"DMA1\") into pfn 2 by DMA, the frame behind process 0's 0x7f0000001000.",
      "The device writes page 3 of 3 (\"DMA2\") into pfn 3 by DMA, the frame behind process 0's 0x7f0000002000.",
      "The device raises its completion interrupt and the driver's wait returns: all 3 pages are written.",
      'The driver calls unpin_user_pages_dirty_lock(pages, 3, true), which marks pfns 1, 2, 3 dirty and drops the pin on pfns 1, 2, 3 (refcount 1025 → 1 each).',
      'Process 0 reads 0x7f0000000000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[0] to pfn 1 (ZONE_NORMAL) and loads "DMA0" from physical address 0x1000.',
      'Process 0 reads 0x7f0000001000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[1] to pfn 2 (ZONE_NORMAL) and loads "DMA1" from physical address 0x2000.',
      'Process 0 reads 0x7f0000002000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[2] to pfn 3 (ZONE_NORMAL) and loads "DMA2" from physical address 0x3000.',
    ]);
    expect(states.map((s) => s.event?.source?.fn ?? null).slice(4, 7)).toEqual(['mmap_read_lock', 'pin_user_pages', 'mmap_read_unlock']);
    expect(states[9].event?.source).toEqual({ file: 'mm/compaction.c', fn: 'isolate_migratepages_block', version: '6.12' });
    // After the pin: refcount 1025, pincount 1, in ZONE_NORMAL; the movable frames are free.
    const pinned = states[5];
    expect([1, 2, 3].map((pfn) => [pinned.frames[pfn].zone, pinned.frames[pfn].refcount, pinned.frames[pfn].pincount])).toEqual([
      ['normal', 1025, 1],
      ['normal', 1025, 1],
      ['normal', 1025, 1],
    ]);
    expect([6, 7, 8].map((pfn) => pinned.frames[pfn].use)).toEqual(['free', 'free', 'free']);
    expect(pinned.driver).toMatchObject({ pages: [1, 2, 3], ret: 3, hold: 'pin', holdsMmapLock: true });
    expect(pinned.procs[0].hasPinned).toBe(true);
    // Compaction left everything as it was (only its budget changed).
    expect({ ...states[9], event: null, lastChoice: null, stepIndex: 0, kernelEventsLeft: 0 }).toEqual({ ...states[8], event: null, lastChoice: null, stepIndex: 0, kernelEventsLeft: 0 });
    const end = last(states);
    expect(end.procs[0].reads.map((r) => r.data)).toEqual(['DMA0', 'DMA1', 'DMA2']);
    expect([1, 2, 3].map((pfn) => [end.frames[pfn].refcount, end.frames[pfn].dirty])).toEqual([
      [1, true],
      [1, true],
      [1, true],
    ]);
    expect(end.acct).toMatchObject({ pinAcquired: 6, pinReleased: 6, held: {}, badReleases: [], warnings: [] });
    expect(checkPins(end)).toMatchObject({ ok: true, problems: [] });
  });

  it('partial-pin: a range running into a hole pins what it can; -EFAULT only when none', () => {
    const p = MM_PRESETS['partial-pin'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    expect(narrations(states)).toEqual([
      "The driver calls mmap_read_lock on process 0's mm: page faults may still run, but munmap, fork and exit must wait.",
      'The driver calls pin_user_pages(0x7f0000000000, 4, FOLL_WRITE), which faults in 2 pages (do_anonymous_page), pins pfns 6, 7 (refcount 1025 each), stops at 0x7f0000002000, where no VMA is mapped, and returns 2 of 4 (a partial pin: the caller must release those 2).',
      'The driver calls unpin_user_pages(pages, 2), which drops the pin on pfns 6, 7 (refcount 1025 → 1 each).',
      'The driver calls pin_user_pages(0x7f0000002000, 1, FOLL_WRITE), which stops at 0x7f0000002000, where no VMA is mapped, and returns -EFAULT.',
      'The driver calls mmap_read_unlock.',
    ]);
    expect(states[2].driver).toMatchObject({ ret: 2, pages: [6, 7] });
    expect(states[4].driver).toMatchObject({ ret: -EFAULT, pages: [] });
    expect(checkPins(last(states)).ok).toBe(true);
  });

  it('cow-after-fork: shared read-only, then copied, then reused', () => {
    const p = MM_PRESETS['cow-after-fork'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    expect(narrations(states)).toEqual([
      'Process 0 writes 0x7f0000000000: no PTE maps the page yet, so do_anonymous_page allocates zeroed frame pfn 6 (ZONE_MOVABLE) and maps it writable, and the store lands in pfn 6.',
      'Process 0 forks: dup_mmap gives process 1 copies of both VMAs, and copy_present_pte shares 1 page with it, write-protected in both (copy-on-write).',
      'Process 1 reads 0x7f0000000000: the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[0] to pfn 6 (ZONE_MOVABLE) and loads "P0" from physical address 0x6000.',
      'Process 0 writes 0x7f0000000000: its PTE is read-only (copy-on-write), so wp_page_copy copies pfn 6 into new frame pfn 7 and maps the copy writable (the page is shared: refcount 2), and the store lands in pfn 7.',
      'Process 1 writes 0x7f0000000000: its PTE is read-only (copy-on-write), so wp_page_reuse makes the PTE of pfn 6 writable again without copying (its refcount is 1, so nobody else can see it), and the store lands in pfn 6.',
      'Process 1 exits: exit_mmap unmaps 1 page and frees its page tables, freeing pfn 6.',
    ]);
  });
});

describe('demand faults', () => {
  it('a read maps the zero page read-only; a write replaces it with a zeroed frame', () => {
    const k = createSession(params());
    k.touch(page(0));
    let s = k.state;
    expect(walk(s, page(0)).steps[3].entry).toEqual({ present: true, pfn: 0, writable: false, dirty: false, accessed: true, swap: null });
    expect(s.frames[0]).toMatchObject({ use: 'zero', refcount: 1, mappings: [] }); // no reference for a special PTE
    expect(s.procs[0].reads).toEqual([{ va: page(0), data: 'zero' }]);
    expect(s.procs[0].vmas[0].anonVma).toBe(false);
    k.touch(page(0), true);
    s = k.state;
    expect(s.event?.source?.fn).toBe('wp_page_copy');
    expect(walk(s, page(0)).steps[3].entry).toEqual({ present: true, pfn: 6, writable: true, dirty: true, accessed: true, swap: null });
    expect(s.frames[6]).toMatchObject({ zone: 'movable', use: 'anon', refcount: 1, pincount: 0, anonExclusive: true, data: 'P0', mappings: [{ pid: 0, va: page(0) }] });
    expect(s.frames[0].refcount).toBe(1);
    expect(s.procs[0].vmas[0].anonVma).toBe(true);
  });

  it('a first write allocates directly (do_anonymous_page); later accesses hit without a fault', () => {
    const k = createSession(params());
    k.touch(page(2), true);
    expect(k.state.event?.source?.fn).toBe('do_anonymous_page');
    k.touch(page(2) + 0x10);
    expect(k.state.event?.source).toBeNull();
    expect(k.state.event?.narration).toContain('loads "P0" from physical address 0x6010');
  });

  it('file pages come from the page cache; private writes copy, shared writes dirty the cache page', () => {
    const k = createSession(
      params({
        vmas: [
          { start: BUF, length: 2 * PG, kind: 'file', prot: 'rw', file: 'a.dat', name: 'priv' },
          { start: FILE_MAP, length: 2 * PG, kind: 'file', prot: 'rw', file: 'a.dat', shared: true, name: 'shared' },
        ],
      }),
    );
    k.touch(BUF); // page cache page a.dat#0 at pfn 6, mapped read-only
    expect(k.state.frames[6]).toMatchObject({ use: 'file', file: { name: 'a.dat', index: 0 }, refcount: 2, data: 'a.dat#0' });
    k.touch(FILE_MAP); // the same file page through the shared mapping: same frame
    expect(k.state.frames[6].refcount).toBe(3);
    expect(k.state.event?.narration).toContain('finds a.dat page 0 in the page cache at pfn 6');
    k.touch(BUF, true); // private write: COW copy to an anonymous frame
    expect(k.state.event?.source?.fn).toBe('wp_page_copy');
    expect(k.state.frames[7]).toMatchObject({ use: 'anon', data: 'P0' });
    expect(k.state.frames[6]).toMatchObject({ refcount: 2, data: 'a.dat#0', dirty: false });
    k.touch(FILE_MAP, true); // shared write: write-notify fault, page dirty in place
    expect(k.state.event?.source?.fn).toBe('wp_page_shared');
    expect(k.state.frames[6]).toMatchObject({ data: 'P0', dirty: true });
    k.touch(FILE_MAP + PG, true); // shared write fault on an empty PTE
    expect(k.state.event?.source?.fn).toBe('do_shared_fault');
    k.touch(BUF + PG, true); // private write fault on an empty PTE
    expect(k.state.event?.source?.fn).toBe('do_cow_fault');
  });

  it('SIGSEGV for a write to a read-only VMA and for an address outside every VMA', () => {
    const k = createSession(params());
    k.touch(page(0), true);
    k.touch(FILE_MAP, true);
    expect(k.state.event?.narration).toBe('Process 0 writes 0x7f0000200000: the data.bin VMA does not allow writes, so do_user_addr_fault sends SIGSEGV and the process dies.');
    expect(k.state.procs[0]).toMatchObject({ status: 'killed', killedBy: 'SIGSEGV', vmas: [], pgtables: [] });
    expect(k.state.frames[6].use).toBe('free');
    const k2 = createSession(params());
    k2.touch(0x1000);
    expect(k2.state.procs[0].killedBy).toBe('SIGSEGV');
    expect(k2.state.event?.narration).toContain('no VMA covers it');
  });

  it('OOM: with no free frame the process is killed', () => {
    const k = createSession(params({ frames: 3, normalFrames: 1 }));
    k.touch(page(0), true);
    k.touch(page(1), true);
    k.touch(page(2), true);
    expect(k.state.procs[0]).toMatchObject({ status: 'killed', killedBy: 'OOM' });
    expect(k.state.event?.narration).toContain('VM_FAULT_OOM');
  });
});

describe('copy-on-write after fork', () => {
  it('fork write-protects private pages in both and shares them (refcount 2, not exclusive)', () => {
    const s = last(replay(mmModel, MM_PRESETS['cow-after-fork'].params, 0, MM_PRESETS['cow-after-fork'].schedule.slice(0, 2)));
    expect(s.procs.length).toBe(2);
    expect(s.procs[1]).toMatchObject({ pid: 1, parent: 0, status: 'running', hasPinned: false });
    expect(s.frames[6]).toMatchObject({ refcount: 2, anonExclusive: false, mappings: [{ pid: 0, va: page(0) }, { pid: 1, va: page(0) }] });
    expect(walk(s, page(0), 0).outcome).toMatchObject({ kind: 'mapped', pfn: 6, writable: false });
    expect(walk(s, page(0), 1).outcome).toMatchObject({ kind: 'mapped', pfn: 6, writable: false });
  });

  it('does not copy page tables of VMAs without anonymous pages (the child faults them in)', () => {
    const k = createSession(params({ programs: [[{ kind: 'fork' }]] }));
    k.touch(page(0)); // the zero page only: no anon_vma
    k.touch(FILE_MAP);
    k.run(P(0, { kind: 'fork' }));
    expect(k.state.procs[1].vmas.length).toBe(2);
    expect(walk(k.state, page(0), 1).outcome).toMatchObject({ kind: 'not-present', level: 'pgd' });
    expect(k.state.event?.narration).toContain('no page tables need copying');
  });

  it('a page pinned before fork is copied for the child at once; the parent keeps it writable', () => {
    const p = MM_PRESETS['pin-fork'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    const afterFork = states[6];
    expect(afterFork.event?.source?.fn).toBe('copy_present_page');
    expect(walk(afterFork, page(0), 0).outcome).toMatchObject({ pfn: 6, writable: true });
    expect(walk(afterFork, page(0), 1).outcome).toMatchObject({ pfn: 7, writable: true });
    expect(afterFork.frames[6]).toMatchObject({ refcount: 1025, anonExclusive: true });
    expect(afterFork.frames[7]).toMatchObject({ refcount: 1, data: 'P0' });
    const end = last(states);
    expect(end.procs[0].reads.map((r) => r.data)).toEqual(['DMA0']);
    expect(checkPins(end).ok).toBe(true);
  });

  it('a plain get_user_pages reference does not survive fork + write: the data lands in the child\'s page', () => {
    const p = MM_PRESETS['gup-fork'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    const afterWrite = states[7];
    expect(afterWrite.event?.narration).toContain('(the page is shared: refcount 3 for 2 mappings)');
    expect(walk(afterWrite, page(0), 0).outcome).toMatchObject({ pfn: 7 });
    expect(afterWrite.frames[6].mappings).toEqual([{ pid: 1, va: page(0) }]);
    const end = last(states);
    expect(end.procs[0].reads.map((r) => r.data)).toEqual(['P0']);
    expect(checkPins(end).strayDma.map((w) => [w.pfn, w.outcome])).toEqual([[6, 'elsewhere']]);
    expect(states[8].event?.narration).toBe(
      "The device writes page 1 of 1 (\"DMA0\") into pfn 6 by DMA, but process 0's 0x7f0000000000 now maps pfn 7 and this frame holds process 1's page at 0x7f0000000000, so the process never sees the data.",
    );
  });
});

describe('pin accounting', () => {
  it('each pin adds GUP_PIN_COUNTING_BIAS; unpin takes it away; the vmstat counters follow', () => {
    const k = filled(1);
    const a: number[] = [];
    const b: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, FOLL_WRITE, a)).toBe(1);
    expect(k.state.frames[6]).toMatchObject({ refcount: 1 + GUP_PIN_COUNTING_BIAS, pincount: 1 });
    expect(k.pin_user_pages(BUF, 1, FOLL_WRITE, b)).toBe(1);
    expect(k.state.frames[6]).toMatchObject({ refcount: 1 + 2 * GUP_PIN_COUNTING_BIAS, pincount: 2 });
    k.mmap_read_unlock();
    expect(a).toEqual([6]);
    expect(k.state.acct.held).toEqual({ 6: { pins: 2, refs: 0 } });
    k.unpin_user_pages(a, 1);
    expect(k.state.frames[6]).toMatchObject({ refcount: 1025, pincount: 1 });
    k.unpin_user_page(b[0]);
    expect(k.state.frames[6]).toMatchObject({ refcount: 1, pincount: 0 });
    expect(k.state.acct).toMatchObject({ pinAcquired: 2, pinReleased: 2, held: {} });
    expect(k.checkPins().ok).toBe(true);
  });

  it('a read-only pin of the zero page takes no pin and changes no refcount', () => {
    const k = createSession(params());
    k.touch(page(0));
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, 0, pages)).toBe(1);
    expect(k.state.event?.narration).toContain('no pin is taken on the zero page');
    k.mmap_read_unlock();
    expect(pages).toEqual([0]);
    expect(k.state.frames[0].refcount).toBe(1);
    expect(k.state.acct.pinAcquired).toBe(0);
    k.unpin_user_pages(pages, 1);
    expect(k.state.frames[0].refcount).toBe(1);
    expect(k.checkPins().ok).toBe(true);
  });

  it('FOLL_WRITE faults pages in (a write fault even over the zero page)', () => {
    const k = createSession(params());
    k.touch(page(1)); // zero page mapped read-only
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 3, FOLL_WRITE, pages)).toBe(3);
    expect(pages).toEqual([6, 7, 8]);
    expect(k.state.event?.narration).toContain('faults in 3 pages (do_anonymous_page, wp_page_copy)');
    expect(walk(k.state, page(1)).outcome).toMatchObject({ pfn: 7, writable: true });
  });

  it('a read-only pin of a copy-on-write page unshares it first (gup_must_unshare)', () => {
    const k = createSession(params({ programs: [[{ kind: 'fork' }]] }));
    k.touch(page(0), true);
    k.run(P(0, { kind: 'fork' }));
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, 0, pages)).toBe(1);
    expect(k.state.event?.narration).toContain('faults in 1 page (wp_page_copy)');
    expect(pages).toEqual([7]);
    expect(walk(k.state, BUF, 0).outcome).toMatchObject({ pfn: 7, writable: false });
    expect(k.state.frames[7]).toMatchObject({ anonExclusive: true, refcount: 1025 });
    expect(k.state.frames[6]).toMatchObject({ refcount: 1, mappings: [{ pid: 1, va: BUF }] });
  });

  it('a long-term read-only pin of the zero page in a private mapping gets a real frame', () => {
    const k = createSession(params());
    k.touch(page(0));
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, FOLL_LONGTERM, pages)).toBe(1);
    expect(pages).toEqual([1]); // unshared into pfn 6, then moved to ZONE_NORMAL
    expect(walk(k.state, BUF).outcome).toMatchObject({ pfn: 1, writable: false, zeroPage: false });
  });

  it('partial pins: stops at a hole, at a read-only VMA, and returns -EFAULT only when nothing was pinned', () => {
    const k = filled(0);
    k.mmap_read_lock();
    const p1: number[] = [];
    expect(k.pin_user_pages(page(2), 4, FOLL_WRITE, p1)).toBe(2); // pages 2, 3, then the hole
    expect(p1.length).toBe(2);
    const p2: number[] = [];
    expect(k.pin_user_pages(FILE_MAP, 2, FOLL_WRITE, p2)).toBe(-EFAULT); // read-only VMA
    expect(p2).toEqual([]);
    expect(k.state.event?.narration).toContain('the data.bin VMA is not writable');
    const p3: number[] = [];
    expect(k.pin_user_pages(FILE_MAP, 2, 0, p3)).toBe(2); // read-only pins are fine
    const p4: number[] = [];
    expect(k.pin_user_pages(page(3), 3, 0, p4)).toBe(1); // page 3 pinned, then the gap between the VMAs
    expect(k.pin_user_pages(BUF, 0, FOLL_WRITE, [])).toBe(0);
    k.unpin_user_pages(p1, 2);
    k.unpin_user_pages(p3, 2);
    k.unpin_user_pages(p4, 1);
    k.mmap_read_unlock();
    expect(k.checkPins().ok).toBe(true);
  });

  it('invalid flags: pin_user_pages returns 0, pin_user_pages_fast and get_user_pages -EINVAL, with a WARN', () => {
    const k = filled(1);
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, FOLL_PIN | FOLL_WRITE, [])).toBe(0);
    expect(k.pin_user_pages(BUF, 1, FOLL_GET, [])).toBe(0);
    expect(k.pin_user_pages_fast(BUF, 1, FOLL_PIN, [])).toBe(-EINVAL);
    expect(k.get_user_pages(BUF, 1, FOLL_LONGTERM, [])).toBe(-EINVAL);
    k.mmap_read_unlock();
    expect(k.state.frames[6].refcount).toBe(1);
    const rep = k.checkPins();
    expect(rep.warnings.length).toBe(4);
    expect(rep.warnings[3]).toContain('FOLL_LONGTERM can only be used when pinning');
    expect(rep.ok).toBe(false);
    expect(() => k.pin_user_pages(BUF, 1.5, FOLL_WRITE, [])).toThrow(RangeError);
    expect(() => k.pin_user_pages(-1, 1, FOLL_WRITE, [])).toThrow(RangeError);
    expect(() => k.pin_user_pages(BUF, 1, 1 << 3, [])).toThrow(RangeError);
  });

  it('pin_user_pages without mmap_read_lock works but is reported', () => {
    const k = filled(1);
    expect(k.pin_user_pages(BUF, 1, FOLL_WRITE, [])).toBe(1);
    expect(k.state.event?.narration).toContain('without mmap_read_lock held');
    expect(k.checkPins().warnings[0]).toContain('mmap_assert_locked');
  });

  it('a double unpin is recorded and not applied; put_page on a pin is recorded too', () => {
    const k = filled(2);
    const pages: number[] = [];
    k.mmap_read_lock();
    k.pin_user_pages(BUF, 2, FOLL_WRITE, pages);
    k.mmap_read_unlock();
    k.unpin_user_pages(pages, 2);
    k.unpin_user_pages(pages, 2);
    expect(k.state.frames[6].refcount).toBe(1);
    expect(k.state.event?.narration).toContain('pfn 6 is not pinned, pfn 7 is not pinned');
    const rep = k.checkPins();
    expect(rep.badReleases.map((b) => [b.call, b.pfn])).toEqual([
      ['unpin_user_page', 6],
      ['unpin_user_page', 7],
    ]);
    const k2 = filled(1);
    const p2: number[] = [];
    k2.mmap_read_lock();
    k2.pin_user_pages(BUF, 1, FOLL_WRITE, p2);
    k2.mmap_read_unlock();
    k2.put_page(p2[0]);
    expect(k2.state.frames[6].refcount).toBe(1024);
    expect(k2.checkPins().badReleases[0].reason).toContain('must be released with unpin_user_page');
    expect(k2.checkPins().leakedPins).toEqual([{ pfn: 6, pins: 1 }]);
  });

  it('unpinning more entries than were pinned is caught', () => {
    const k = filled(0, { vmas: [{ start: BUF, length: 2 * PG, kind: 'anon', prot: 'rw' }] });
    const pages: number[] = [];
    k.mmap_read_lock();
    const ret = k.pin_user_pages(BUF, 4, FOLL_WRITE, pages);
    k.mmap_read_unlock();
    expect(ret).toBe(2);
    k.unpin_user_pages_dirty_lock(pages, 4, true);
    const rep = k.checkPins();
    expect(rep.leakedPins).toEqual([]);
    expect(rep.badReleases.map((b) => b.reason)).toEqual([
      'pages[2] is beyond the 2 entries the pin call filled',
      'pages[3] is beyond the 2 entries the pin call filled',
    ]);
  });

  it('a leaked pin and a missing dirty mark are reported', () => {
    const k = filled(2);
    const pages: number[] = [];
    k.mmap_read_lock();
    k.pin_user_pages(BUF, 2, FOLL_WRITE, pages);
    k.mmap_read_unlock();
    k.dma(pages);
    expect(k.state.frames[6].data).toBe('DMA0');
    k.unpin_user_pages(pages, 1); // no dirty, and pfn 7 forgotten
    const rep = k.checkPins();
    expect(rep.leakedPins).toEqual([{ pfn: 7, pins: 1 }]);
    expect(rep.notDirty).toEqual([6, 7]);
    expect(rep.problems).toEqual([
      'pfn 7 is still pinned by the driver (1 pin never released).',
      'pfn 6 was written by the device but never marked dirty, so its data may be dropped.',
      'pfn 7 was written by the device but never marked dirty, so its data may be dropped.',
    ]);
  });

  it('get_user_pages takes +1 (FOLL_GET), marks the page dirty (FOLL_TOUCH), and put_page drops it', () => {
    const k = filled(1);
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.get_user_pages(BUF, 1, FOLL_WRITE, pages)).toBe(1);
    expect(k.state.event?.narration).toContain('get_user_pages(current, current->mm, start, nr, write, force, pages, NULL)');
    k.mmap_read_unlock();
    expect(k.state.frames[6]).toMatchObject({ refcount: 2, pincount: 0, dirty: true });
    expect(k.checkPins().leakedRefs).toEqual([{ pfn: 6, refs: 1 }]);
    k.put_page(pages[0]);
    expect(k.state.frames[6].refcount).toBe(1);
    k.put_page(pages[0]);
    expect(k.checkPins().badReleases[0].reason).toContain('double put_page');
  });
});

describe('FOLL_LONGTERM', () => {
  it('moves pages out of ZONE_MOVABLE before pinning; contents and PTEs follow', () => {
    const k = filled(2);
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 2, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(2);
    expect(pages).toEqual([1, 2]);
    expect(k.state.frames[1]).toMatchObject({ zone: 'normal', refcount: 1025, data: 'P0', mappings: [{ pid: 0, va: BUF }] });
    expect(walk(k.state, BUF).outcome).toMatchObject({ pfn: 1, writable: true });
    expect(k.state.frames[6].use).toBe('free');
    // Pins taken, dropped for the migration, taken again.
    expect(k.state.acct).toMatchObject({ pinAcquired: 4, pinReleased: 2 });
  });

  it('pages already in ZONE_NORMAL are pinned where they are; without FOLL_LONGTERM nothing moves', () => {
    const k = filled(1);
    k.mmap_read_lock();
    const a: number[] = [];
    k.pin_user_pages(BUF, 1, FOLL_WRITE, a);
    expect(a).toEqual([6]);
    const b: number[] = [];
    k.pin_user_pages(BUF + PG, 1, FOLL_WRITE | FOLL_LONGTERM, b); // faulted into ZONE_MOVABLE, then moved
    expect(b).toEqual([1]);
    expect(k.state.event?.narration).toContain('faults in 1 page (do_anonymous_page), finds pfn 7 in ZONE_MOVABLE');
  });

  it('fails with -ENOMEM, nothing pinned, when ZONE_NORMAL has no free frame', () => {
    const k = filled(2, { normalFrames: 2 });
    const pages: number[] = [];
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 2, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(-ENOMEM);
    expect(pages).toEqual([]);
    expect(k.state.acct.held).toEqual({});
    expect(k.state.frames[3].refcount).toBe(1);
    expect(k.state.event?.narration).toContain('finds no free frame in ZONE_NORMAL for pfn 3, so everything stays unpinned');
    // The first page did move (migration is not undone).
    expect(walk(k.state, BUF).outcome).toMatchObject({ pfn: 1 });
  });

  it('refuses a writable long-term pin of a shared file mapping (-EFAULT)', () => {
    const k = createSession(params({ vmas: [{ start: BUF, length: 2 * PG, kind: 'file', prot: 'rw', file: 'f', shared: true }] }));
    k.mmap_read_lock();
    expect(k.pin_user_pages(BUF, 1, FOLL_WRITE | FOLL_LONGTERM, [])).toBe(-EFAULT);
    expect(k.state.event?.narration).toContain('writable_file_mapping_allowed');
    expect(k.pin_user_pages(BUF, 1, FOLL_WRITE, [])).toBe(1);
  });

  it('pin_user_pages_fast: lockless for pinnable pages, slow path (and migration) for the rest', () => {
    const k = filled(2);
    const fast: number[] = [];
    expect(k.pin_user_pages_fast(BUF, 2, FOLL_WRITE, fast)).toBe(2);
    expect(k.state.event?.narration).toContain("in gup_fast's lockless walk and returns 2");
    k.unpin_user_pages(fast, 2);
    const lt: number[] = [];
    expect(k.pin_user_pages_fast(BUF, 3, FOLL_WRITE | FOLL_LONGTERM, lt)).toBe(3);
    expect(lt).toEqual([1, 2, 3]);
    expect(k.state.event?.narration).toContain('falls back at 0x7f0000000000 to the slow path, which takes mmap_read_lock itself');
    expect(k.checkPins().warnings).toEqual([]);
    // A fast pin running into a hole returns what it pinned.
    const k2 = filled(1, { vmas: [{ start: BUF, length: PG, kind: 'anon', prot: 'rw' }] });
    expect(k2.pin_user_pages_fast(BUF, 2, FOLL_WRITE, [])).toBe(1);
    expect(k2.pin_user_pages_fast(BUF + PG, 2, FOLL_WRITE, [])).toBe(-EFAULT);
  });
});

describe('the kernel moving pages', () => {
  const withKernel = (over: Partial<MmParams> = {}) => createSession(params({ kernel: { compaction: true, swap: true, maxEvents: 8 }, ...over }));

  it('compaction moves an unpinned page to the top of its zone and rewrites the PTE', () => {
    const k = withKernel();
    k.touch(page(0), true);
    expect(mmModel.enabled(k.state)).toContainEqual({ actor: 'kernel', op: 'compact', pfn: 6 });
    k.run({ actor: 'kernel', op: 'compact', pfn: 6 });
    expect(k.state.frames[6].use).toBe('free');
    expect(k.state.frames[15]).toMatchObject({ use: 'anon', refcount: 1, data: 'P0' });
    expect(walk(k.state, page(0)).outcome).toMatchObject({ pfn: 15, physAddr: 0xf000 });
    expect(k.state.kernelEventsLeft).toBe(7);
  });

  it('migration is refused for a pinned page and for a page with an extra reference', () => {
    const k = withKernel();
    k.touch(page(0), true);
    k.touch(page(1), true);
    k.mmap_read_lock();
    k.pin_user_pages(BUF, 1, FOLL_WRITE, []);
    k.get_user_pages(BUF + PG, 1, FOLL_WRITE, []);
    k.mmap_read_unlock();
    const before = k.state;
    k.run({ actor: 'kernel', op: 'compact', pfn: 6 });
    expect(k.state.event?.narration).toContain('because it is pinned (folio_maybe_dma_pinned() is true)');
    k.run({ actor: 'kernel', op: 'compact', pfn: 7 });
    expect(k.state.event?.narration).toContain('its refcount 2 is more than the 1 its mapping accounts for, because someone holds an extra reference');
    expect(k.state.frames).toEqual(before.frames);
    expect(k.state.procs).toEqual(before.procs);
  });

  it('a page-cache page migrates with its cache slot; a referenced one fails in migrate_folio', () => {
    const k = withKernel();
    k.touch(FILE_MAP);
    k.touch(FILE_MAP + PG);
    k.run({ actor: 'kernel', op: 'compact', pfn: 7 });
    expect(k.state.frames[15]).toMatchObject({ use: 'file', file: { name: 'data.bin', index: 1 }, refcount: 2 });
    expect(walk(k.state, FILE_MAP + PG).outcome).toMatchObject({ pfn: 15 });
    k.mmap_read_lock();
    k.get_user_pages(FILE_MAP, 1, 0, []);
    k.run({ actor: 'kernel', op: 'compact', pfn: 6 });
    expect(k.state.event?.source?.fn).toBe('migrate_folio');
    expect(k.state.event?.narration).toContain('migrate_folio gives up with -EAGAIN');
  });

  it('swap-out frees the frame; a touch faults the page back into a new frame', () => {
    const p = MM_PRESETS['swap-out'];
    const states = replay(mmModel, p.params, 0, p.schedule);
    const out = states[2];
    expect(out.frames[6].use).toBe('free');
    expect(out.swap[0]).toEqual({ data: 'P0', refs: 1, dirty: true });
    expect(out.event?.source).toEqual({ file: 'mm/vmscan.c', fn: 'shrink_folio_list', version: '6.12' });
    const end = last(states);
    expect(end.event?.source?.fn).toBe('do_swap_page');
    expect(walk(end, page(0)).outcome).toMatchObject({ pfn: 7, writable: false });
    expect(end.frames[7]).toMatchObject({ data: 'P0', dirty: true });
    expect(end.swap[0]).toBeNull();
    expect(end.procs[0].reads).toEqual([{ va: page(0), data: 'P0' }]);
  });

  it('swap-out is refused for a pinned page and a referenced page', () => {
    const k = withKernel();
    k.touch(page(0), true);
    k.touch(page(1), true);
    k.mmap_read_lock();
    k.pin_user_pages(BUF, 1, FOLL_WRITE, []);
    k.get_user_pages(BUF + PG, 1, FOLL_WRITE, []);
    k.mmap_read_unlock();
    k.run({ actor: 'kernel', op: 'swap-out', pfn: 6 });
    expect(k.state.event?.narration).toContain('shrink_folio_list keeps a page that folio_maybe_dma_pinned says may be pinned');
    k.run({ actor: 'kernel', op: 'swap-out', pfn: 7 });
    expect(k.state.event?.narration).toContain('someone holds a reference');
    expect(k.state.swap).toEqual([null, null, null, null]);
  });

  it('fork shares swap entries (swap_duplicate) and each process faults its own copy back', () => {
    const k = withKernel({ programs: [[{ kind: 'fork' }]] });
    k.touch(page(0), true);
    k.run({ actor: 'kernel', op: 'swap-out', pfn: 6 });
    k.run(P(0, { kind: 'fork' }));
    expect(k.state.swap[0]).toMatchObject({ refs: 2 });
    k.touch(page(0), false, 1);
    expect(k.state.swap[0]).toMatchObject({ refs: 1 });
    k.touch(page(0), false, 0);
    expect(k.state.swap[0]).toBeNull();
    expect(k.state.procs.map((p) => p.reads.map((r) => r.data))).toEqual([['P0'], ['P0']]);
  });

  it('the kernel budget ends the run', () => {
    const k = withKernel({ kernel: { compaction: true, swap: false, maxEvents: 1 } });
    k.touch(page(0), true);
    k.run({ actor: 'kernel', op: 'compact', pfn: 6 });
    expect(mmModel.enabled(k.state)).toEqual([]);
  });
});

describe('mmap_lock, munmap and pins', () => {
  it('munmap sleeps in mmap_write_lock while the driver holds mmap_read_lock', () => {
    const p = params({
      programs: [[wr(page(0)), { kind: 'munmap', start: BUF, length: PG }]],
      driver: [{ kind: 'mmap_read_lock' }, { kind: 'pin_user_pages', start: BUF, nrPages: 1, flags: FOLL_WRITE }, { kind: 'mmap_read_unlock' }, { kind: 'unpin_user_pages' }],
    });
    const munmap = P(0, { kind: 'munmap', start: BUF, length: PG });
    const states = replay(mmModel, p, 0, [P(0, wr(page(0))), DRV, DRV, munmap, DRV, munmap, DRV]);
    expect(states[4].procs[0].waiting).toEqual({ lock: 'mmap_write_lock', op: { kind: 'munmap', start: BUF, length: PG } });
    expect(states[4].event?.narration).toBe('Process 0 calls munmap(0x7f0000000000, 4096), but the driver holds mmap_read_lock, so mmap_write_lock puts it to sleep.');
    expect(mmModel.enabled(states[4])).toEqual([DRV]);
    expect(states[5].event?.narration).toBe('The driver calls mmap_read_unlock, so process 0 can take mmap_write_lock.');
    // The pinned page survives munmap, unmapped, and goes when the pin goes.
    expect(states[6].event?.narration).toBe(
      'Process 0 calls munmap(0x7f0000000000, 4096) under mmap_write_lock: zap_pte_range clears 1 PTE; pinned pfn 6 survives with refcount 1024, no longer mapped.',
    );
    expect(states[6].frames[6]).toMatchObject({ use: 'anon', refcount: 1024, mappings: [] });
    expect(states[6].procs[0].vmas.map((v) => [v.start, v.end])).toEqual([
      [BUF + PG, BUF + 4 * PG],
      [FILE_MAP, FILE_MAP + 2 * PG],
    ]);
    expect(last(states).event?.narration).toBe('The driver calls unpin_user_pages(pages, 1), which drops the pin on pfn 6 (refcount 1024 → 0: freed).');
    expect(last(states).frames[6].use).toBe('free');
    expect(mmModel.enabled(last(states))).toEqual([]);
  });

  it('a pinned page the process unmapped still takes the DMA (an orphan, not a stray write)', () => {
    const munmap = P(0, { kind: 'munmap', start: BUF, length: PG });
    const p = params({
      programs: [[wr(page(0)), { kind: 'munmap', start: BUF, length: PG }]],
      driver: [{ kind: 'pin_user_pages_fast', start: BUF, nrPages: 1, flags: FOLL_WRITE }, { kind: 'start_dma' }, { kind: 'wait_dma' }, { kind: 'unpin_user_pages' }],
    });
    const states = replay(mmModel, p, 0, [P(0, wr(page(0))), DRV, DRV, munmap, DEV, DRV, DRV]);
    expect(states[5].event?.narration).toBe('The device writes page 1 of 1 ("DMA0") into pfn 6 by DMA, a page process 0 has since unmapped: only the driver\'s pin keeps it.');
    expect(states[5].device.log[0]).toMatchObject({ outcome: 'orphan', intended: true });
    expect(last(states).frames[6].use).toBe('free');
    expect(checkPins(last(states)).ok).toBe(true);
  });

  it('exit waits for mmap_lock too; fork fails cleanly past MAX_PROCS', () => {
    const k = createSession(params({ programs: [[{ kind: 'fork' }, { kind: 'fork' }, { kind: 'fork' }, { kind: 'exit' }]] }));
    k.run(P(0, { kind: 'fork' }));
    k.run(P(0, { kind: 'fork' }));
    k.run(P(0, { kind: 'fork' }));
    expect(k.state.event?.narration).toContain('fails with -EAGAIN');
    expect(k.state.procs.length).toBe(3);
    k.mmap_read_lock();
    k.run(P(0, { kind: 'exit' }));
    expect(k.state.procs[0].waiting).not.toBeNull();
    k.mmap_read_unlock();
    k.run(P(0, { kind: 'exit' }));
    expect(k.state.procs[0]).toMatchObject({ status: 'exited', waiting: null, pc: 4, pgtables: [] });
  });

  it('munmap rejects an unaligned start', () => {
    const k = createSession(params({ programs: [[{ kind: 'munmap', start: BUF + 1, length: PG }]] }));
    k.run(P(0, { kind: 'munmap', start: BUF + 1, length: PG }));
    expect(k.state.event?.narration).toContain('fails with -EINVAL');
  });
});

describe('the model interface', () => {
  it('every preset replays to the end, and every narration is one sentence', () => {
    for (const [name, preset] of Object.entries(MM_PRESETS)) {
      const states = replay(mmModel, preset.params, 0, preset.schedule);
      expect(mmModel.enabled(last(states)), name).toEqual([]);
      for (const s of states.slice(1)) {
        expect(s.event?.narration, name).toMatch(/^[A-Z].*\.$/);
        expect(s.event?.narration, name).not.toMatch(/\.\s+[A-Z]/);
        if (s.event?.source) expect(s.event.source.version).toBe('6.12');
      }
    }
  });

  it('preset outcomes: who sees the DMA data', () => {
    const reads = (name: string) => last(replay(mmModel, MM_PRESETS[name].params, 0, MM_PRESETS[name].schedule)).procs[0].reads.map((r) => r.data);
    expect(reads('dma-without-pin')).toEqual(['DMA0', 'P0', 'DMA2']);
    expect(reads('dma-with-pin')).toEqual(['DMA0', 'DMA1', 'DMA2']);
    expect(reads('gup-history')).toEqual(['DMA0', 'DMA1', 'DMA2']);
    expect(reads('gup-fork')).toEqual(['P0']);
    expect(reads('pin-fork')).toEqual(['DMA0']);
    const ok = (name: string) => checkPins(last(replay(mmModel, MM_PRESETS[name].params, 0, MM_PRESETS[name].schedule))).ok;
    expect(Object.keys(MM_PRESETS).filter(ok)).toEqual(['translate', 'demand-faults', 'first-touch', 'cow-after-fork', 'dma-with-pin', 'partial-pin', 'gup-history', 'pin-fork', 'swap-out']);
  });

  it('steps never modify their input (deep-frozen states)', () => {
    for (const preset of Object.values(MM_PRESETS)) {
      let s = deepFreeze(initialState(preset.params));
      for (const c of preset.schedule) s = deepFreeze(mmModel.step(s, c));
    }
    const k = createSession(deepFreeze(initialState(params({ kernel: { compaction: true, swap: true, maxEvents: 4 } }))));
    k.touch(page(0), true);
    deepFreeze(k.state);
    k.mmap_read_lock();
    deepFreeze(k.state);
    k.pin_user_pages(BUF, 2, FOLL_WRITE | FOLL_LONGTERM, []);
    deepFreeze(k.state);
    k.run({ actor: 'kernel', op: 'compact', pfn: 1 });
  });

  it('is deterministic and its states are plain JSON', () => {
    for (const preset of Object.values(MM_PRESETS)) {
      const a = replay(mmModel, preset.params, 0, preset.schedule);
      const b = replay(mmModel, preset.params, 7, preset.schedule);
      expect(b).toEqual(a);
      expect(JSON.parse(JSON.stringify(last(a)))).toEqual(last(a));
    }
  });

  it('step and replay reject choices that are not enabled', () => {
    const s = initialState(MM_PRESETS['dma-with-pin'].params);
    expect(() => mmModel.step(s, DEV)).toThrow(/not enabled/);
    expect(() => mmModel.step(s, P(0, rd(page(0))))).toThrow(/not enabled/);
    expect(() => mmModel.step(s, { actor: 'kernel', op: 'compact', pfn: 6 })).toThrow(/not enabled/);
    expect(() => replay(mmModel, MM_PRESETS['dma-with-pin'].params, 0, [DRV, DEV])).toThrow(/step 2/);
  });

  it('bad params throw RangeError', () => {
    const bad: Partial<MmParams>[] = [
      { pageSize: 8192 },
      { frames: 1 },
      { frames: 65 },
      { normalFrames: 0 },
      { normalFrames: 17 },
      { swapSlots: -1 },
      { vmas: [] },
      { vmas: [{ start: BUF + 1, length: PG, kind: 'anon', prot: 'rw' }] },
      { vmas: [{ start: BUF, length: 100, kind: 'anon', prot: 'rw' }] },
      { vmas: [{ start: 2 ** 47, length: PG, kind: 'anon', prot: 'rw' }] },
      { vmas: [{ start: BUF, length: PG, kind: 'anon', prot: 'rwx' as 'rw' }] },
      { vmas: [{ start: BUF, length: PG, kind: 'file', prot: 'r' }] },
      { vmas: [{ start: BUF, length: PG, kind: 'anon', prot: 'rw', shared: true }] },
      { vmas: [{ start: BUF, length: 2 * PG, kind: 'anon', prot: 'rw' }, { start: BUF + PG, length: PG, kind: 'anon', prot: 'rw' }] },
      { programs: [[{ kind: 'read', va: -1 }]] },
      { programs: [[{ kind: 'jump' } as unknown as ProcessOp]] },
      { programs: [[], [], [], []] },
      { driver: [{ kind: 'pin_user_pages', start: BUF, nrPages: 1.5, flags: FOLL_WRITE }] },
      { driver: [{ kind: 'pin_user_pages', start: BUF, nrPages: 1, flags: 1 << 3 }] },
      { driver: [{ kind: 'unpin_user_pages_dirty_lock' } as never] },
      { kernel: { compaction: true, swap: false, maxEvents: 17 } },
      { sandbox: 'yes' as unknown as boolean },
    ];
    for (const over of bad) {
      expect(() => validateParams(params(over)), JSON.stringify(over)).toThrow(RangeError);
      expect(() => mmModel.initialState(params(over), 0)).toThrow(RangeError);
    }
    expect(() => validateParams(null as unknown as MmParams)).toThrow(RangeError);
    expect(() => validateParams(params())).not.toThrow();
  });

  it('describes choices in words', () => {
    const s = initialState(MM_PRESETS['dma-with-pin'].params);
    expect(mmModel.describeChoice(s, P(0, wr(page(0))))).toBe('process 0: write 0x7f0000000000');
    expect(mmModel.describeChoice(s, DRV)).toBe('driver: mmap_read_lock(mm)');
    const s2 = { ...s, driver: { ...s.driver, pc: 1 } };
    expect(mmModel.describeChoice(s2, DRV)).toBe('driver: pin_user_pages(0x7f0000000000, 3, FOLL_WRITE|FOLL_LONGTERM, pages)');
    expect(mmModel.describeChoice(s, { actor: 'kernel', op: 'compact', pfn: 7 })).toBe('kernel: compaction migrates pfn 7');
    expect(mmModel.sameChoice(P(0, wr(page(0))), P(0, wr(page(0))))).toBe(true);
    expect(mmModel.sameChoice(P(0, wr(page(0))), P(0, rd(page(0))))).toBe(false);
  });

  it('sandbox mode offers every load and store, fork, munmap, and exit for children', () => {
    const p = params({ sandbox: true, vmas: [{ start: BUF, length: 2 * PG, kind: 'anon', prot: 'rw' }] });
    const s = initialState(p);
    expect(mmModel.enabled(s).map((c) => mmModel.describeChoice(s, c))).toEqual([
      'process 0: read 0x7f0000000000',
      'process 0: write 0x7f0000000000',
      'process 0: read 0x7f0000001000',
      'process 0: write 0x7f0000001000',
      'process 0: fork()',
      'process 0: munmap(0x7f0000000000, 8192)',
    ]);
    const { states } = runToEnd(mmModel, p, 0, (cs) => cs[cs.length - 1], 200);
    expect(states.length).toBeGreaterThan(2);
  });

  it('stepFast matches step but leaves the narration empty', () => {
    const preset = MM_PRESETS['dma-without-pin'];
    let a = initialState(preset.params);
    let b = a;
    for (const c of preset.schedule) {
      a = mmModel.step(a, c);
      b = (mmModel.stepFast as NonNullable<typeof mmModel.stepFast>)(b, c);
      expect(b.event?.narration).toBe('');
      expect(canonicalKey(b)).toBe(canonicalKey(a));
    }
    expect(stepUnchecked(initialState(preset.params), P(0, wr(page(0)))).event?.narration).toContain('do_anonymous_page');
  });

  it('canonicalKey ignores stepIndex, event and lastChoice and tells different states apart', () => {
    const preset = MM_PRESETS['dma-with-pin'];
    const states = replay(mmModel, preset.params, 0, preset.schedule);
    expect(canonicalKey({ ...states[3], stepIndex: 99, event: null, lastChoice: null })).toBe(canonicalKey(states[3]));
    expect(new Set(states.map(canonicalKey)).size).toBe(states.length);
  });
});

describe('every schedule (explorer)', () => {
  const small = (driver: MmParams['driver']): MmParams =>
    params({
      frames: 8,
      normalFrames: 4,
      vmas: [{ start: BUF, length: 2 * PG, kind: 'anon', prot: 'rw' }],
      programs: [[wr(page(0)), wr(page(1))]],
      driver,
      kernel: { compaction: true, swap: true, maxEvents: 1 },
    });
  const noStray = { name: 'no DMA write lands in the wrong frame', check: (s: MmState) => (s.device.log.every((w) => w.intended) ? null : `stray write to pfn ${s.device.log.find((w) => !w.intended)?.pfn}`) };
  const spec = (p: MmParams) => ({ model: mmModel, params: p, seed: 0, invariant: noStray, key: canonicalKey, actor: (c: MmChoice) => c.actor });

  it('without a pin, some schedule loses a DMA write; the explorer finds the shortest', () => {
    const p = small([{ kind: 'lookup_pfns', start: BUF, nrPages: 2 }, { kind: 'start_dma' }, { kind: 'wait_dma' }]);
    const r = explore(spec(p));
    expect(r.verdict).toBe('counterexample');
    if (r.verdict !== 'counterexample') return;
    const states = replay(mmModel, p, 0, r.schedule);
    expect(last(states).device.log.some((w) => !w.intended)).toBe(true);
    // write page 0, look up (only page 0 is present), start the DMA, move the page, the device writes there
    expect(r.schedule.map((c) => c.actor)).toEqual(['process', 'driver', 'driver', 'kernel', 'device']);
  });

  it('with pin_user_pages(FOLL_WRITE|FOLL_LONGTERM), no schedule does', () => {
    const p = small([
      { kind: 'pin_user_pages_fast', start: BUF, nrPages: 2, flags: FOLL_WRITE | FOLL_LONGTERM },
      { kind: 'start_dma' },
      { kind: 'wait_dma' },
      { kind: 'unpin_user_pages_dirty_lock', makeDirty: true },
    ]);
    const r = explore(spec(p));
    expect(r.verdict).toBe('proved');
    if (r.verdict === 'proved') expect(r.stats.states).toBeGreaterThan(50);
  });
});
