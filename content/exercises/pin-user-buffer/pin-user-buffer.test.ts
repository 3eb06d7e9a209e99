import { describe, it, expect } from 'vitest';
import { pinUserBuffer, finishDma } from '@submission';
import { createSession, folioMaybeDmaPinned, EFAULT, ENOMEM, GUP_PIN_COUNTING_BIAS } from '@sims/mm';
import type { MmParams, MmSession } from '@sims/mm';

const PG = 4096;
const hex = (n: number) => `0x${n.toString(16)}`;

/** 'buf': 8 writable anonymous pages, with the read-only mapping 'ro' right after it. */
const BUF = 0x7f00_0000_0000;
/** 'ro': 2 pages of a file mapped read-only (PROT_READ), directly after 'buf'. */
const RO = BUF + 8 * PG;
/** 'small': 2 writable anonymous pages with nothing mapped after them. */
const SMALL = 0x7f00_0040_0000;
/** No VMA here. */
const HOLE = 0x7f00_0080_0000;

/** A machine with room to spare: 48 frames, 24 of them in ZONE_NORMAL (pfn 0 is the zero page). */
function machine(over: Partial<MmParams> = {}): MmParams {
  return {
    pageSize: PG,
    frames: 48,
    normalFrames: 24,
    swapSlots: 0,
    vmas: [
      { start: BUF, length: 8 * PG, kind: 'anon', prot: 'rw', name: 'buf' },
      { start: RO, length: 2 * PG, kind: 'file', prot: 'r', file: 'table.bin', name: 'ro' },
      { start: SMALL, length: 2 * PG, kind: 'anon', prot: 'rw', name: 'small' },
    ],
    programs: [[]],
    driver: [],
    kernel: { compaction: false, swap: false, maxEvents: 0 },
    ...over,
  };
}

/** A session in which the process has already written `npages` pages from `start`. */
function sessionWithData(start: number, npages: number, over: Partial<MmParams> = {}): MmSession {
  const mm = createSession(machine(over));
  for (let i = 0; i < npages; i++) mm.touch(start + i * PG, true);
  return mm;
}

/** The result's pages, failing the test with a readable message if it is an error. */
function pagesOf(result: unknown, call: string): number[] {
  expect(result, `${call} should return { pages }`).toHaveProperty('pages');
  return (result as { pages: number[] }).pages;
}

/** The simulator's own books balance, and mmap_read_lock is not left held. */
function expectClean(mm: MmSession, when: string) {
  expect(mm.checkPins().problems, `checkPins() ${when}`).toEqual([]);
  expect(mm.state.driver.holdsMmapLock, `mmap_read_lock still held ${when}`).toBe(false);
}

/** Pins the driver holds now, by pfn (from the simulator's books). */
function heldPins(mm: MmSession): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [pfn, h] of Object.entries(mm.state.acct.held)) if (h.pins > 0) out[Number(pfn)] = h.pins;
  return out;
}

describe('pinUserBuffer: a fully mapped buffer', () => {
  it('pins every page and returns their pfns in buffer order', () => {
    const mm = sessionWithData(BUF, 4);
    const pages = pagesOf(pinUserBuffer(mm, BUF, 4), `pinUserBuffer(${hex(BUF)}, 4)`);
    expect(pages, 'number of pages').toHaveLength(4);
    pages.forEach((pfn, i) => {
      const va = BUF + i * PG;
      const mapped = mm.state.frames[pfn]?.mappings.some((m) => m.pid === 0 && m.va === va);
      expect(mapped, `pages[${i}] = pfn ${pfn} should be the frame mapped at ${hex(va)}`).toBe(true);
      expect(folioMaybeDmaPinned(mm.state.frames[pfn]), `pfn ${pfn} pinned (refcount >= ${GUP_PIN_COUNTING_BIAS})`).toBe(true);
    });
    expect(mm.state.driver.holdsMmapLock, 'mmap_read_lock still held after pinUserBuffer returned').toBe(false);
    expect(mm.checkPins().warnings, 'kernel warnings').toEqual([]);
  });

  it('pins for writing (FOLL_WRITE): an untouched buffer gets its own zeroed frames, not the shared zero page', () => {
    const mm = createSession(machine());
    const pages = pagesOf(pinUserBuffer(mm, BUF, 3), `pinUserBuffer(${hex(BUF)}, 3) on never-touched memory`);
    expect(pages.filter((pfn) => pfn === mm.state.zeroPfn), 'pages that are the zero page (pfn 0)').toEqual([]);
    mm.dma(pages);
    finishDma(mm, pages, pages.length);
    expect(mm.checkPins().strayDma, 'DMA writes that missed the buffer').toEqual([]);
  });

  it('refuses to pin a read-only mapping for the device to write (FOLL_WRITE): -EFAULT', () => {
    const mm = createSession(machine());
    mm.touch(RO);
    expect(pinUserBuffer(mm, RO, 2), `pinUserBuffer(${hex(RO)}, 2) on a PROT_READ file mapping`).toEqual({ error: -EFAULT });
    expectClean(mm, 'after the refused pin');
  });

  it('pins long-term (FOLL_LONGTERM): the pages are moved out of ZONE_MOVABLE before they are pinned', () => {
    const mm = sessionWithData(BUF, 3);
    const before = [0, 1, 2].map((i) => mm.state.frames.find((f) => f.mappings.some((m) => m.pid === 0 && m.va === BUF + i * PG))!);
    expect(before.map((f) => f.zone), 'the process wrote its pages into ZONE_MOVABLE (test setup)').toEqual(['movable', 'movable', 'movable']);
    const pages = pagesOf(pinUserBuffer(mm, BUF, 3), `pinUserBuffer(${hex(BUF)}, 3)`);
    expect(pages.map((pfn) => mm.state.frames[pfn].zone), 'zones of the pinned pages').toEqual(['normal', 'normal', 'normal']);
  });

  it('pins from the page that holds start when start is not page aligned', () => {
    const mm = sessionWithData(BUF, 2);
    const pages = pagesOf(pinUserBuffer(mm, BUF + 0x234, 2), `pinUserBuffer(${hex(BUF + 0x234)}, 2)`);
    expect(pages.map((pfn) => mm.state.frames[pfn].mappings.map((m) => hex(m.va))), 'where the pinned frames are mapped').toEqual([[hex(BUF)], [hex(BUF + PG)]]);
  });
});

describe('finishDma: after the device has written the pages', () => {
  it('drops every pin and marks every page dirty', () => {
    const mm = sessionWithData(BUF, 4);
    const pages = pagesOf(pinUserBuffer(mm, BUF, 4), `pinUserBuffer(${hex(BUF)}, 4)`);
    mm.dma(pages);
    finishDma(mm, pages, 4);
    expectClean(mm, 'after finishDma');
    expect(heldPins(mm), 'pins still held').toEqual({});
    expect(pages.filter((pfn) => !mm.state.frames[pfn].dirty), 'pages not marked dirty (PG_dirty)').toEqual([]);
    const r = mm.checkPins();
    expect(r.pinReleased, 'nr_foll_pin_released equals nr_foll_pin_acquired').toBe(r.pinAcquired);
  });

  it('leaves the data where the process reads it', () => {
    const mm = sessionWithData(BUF, 3);
    const pages = pagesOf(pinUserBuffer(mm, BUF, 3), `pinUserBuffer(${hex(BUF)}, 3)`);
    mm.dma(pages);
    finishDma(mm, pages, 3);
    for (let i = 0; i < 3; i++) mm.touch(BUF + i * PG);
    expect(mm.state.procs[0].reads.map((r) => r.data), 'what the process reads back').toEqual(['DMA0', 'DMA1', 'DMA2']);
    expectClean(mm, 'after the process read its buffer');
  });

  it('releases only the first n pages it is given', () => {
    const mm = sessionWithData(BUF, 4);
    const pages = pagesOf(pinUserBuffer(mm, BUF, 4), `pinUserBuffer(${hex(BUF)}, 4)`);
    mm.dma(pages, 2);
    finishDma(mm, pages, 2);
    expect(Object.keys(heldPins(mm)).map(Number).sort((a, b) => a - b), 'pins held after finishDma(pages, 2)').toEqual([pages[2], pages[3]].sort((a, b) => a - b));
    mm.dma(pages.slice(2));
    finishDma(mm, pages.slice(2), 2);
    expectClean(mm, 'after both halves were released');
  });
});

describe('pinUserBuffer: a buffer that runs into a hole', () => {
  it('returns -EFAULT and releases the pages it did pin when the buffer runs past the end of its mapping', () => {
    const mm = sessionWithData(SMALL, 2);
    expect(pinUserBuffer(mm, SMALL, 4), `pinUserBuffer(${hex(SMALL)}, 4): 2 mapped pages, then nothing`).toEqual({ error: -EFAULT });
    expectClean(mm, 'after the partial pin');
    expect(heldPins(mm), 'pins still held').toEqual({});
    expect(mm.checkPins().pinAcquired, 'pin_user_pages did pin the 2 mapped pages before returning').toBeGreaterThanOrEqual(2);
  });

  it('returns -EFAULT and releases the pages it did pin when the buffer runs into a read-only mapping', () => {
    const mm = sessionWithData(BUF + 5 * PG, 3);
    expect(pinUserBuffer(mm, BUF + 5 * PG, 5), `pinUserBuffer(${hex(BUF + 5 * PG)}, 5): 3 writable pages, then a PROT_READ mapping`).toEqual({ error: -EFAULT });
    expectClean(mm, 'after the partial pin');
    expect(mm.checkPins().pinAcquired, 'pin_user_pages did pin the 3 writable pages before returning').toBeGreaterThanOrEqual(3);
  });
});

describe('pinUserBuffer: nothing pinned', () => {
  it('returns -EFAULT for a buffer that starts in a hole, releasing nothing', () => {
    const mm = createSession(machine());
    expect(pinUserBuffer(mm, HOLE, 3), `pinUserBuffer(${hex(HOLE)}, 3): no VMA there`).toEqual({ error: -EFAULT });
    expectClean(mm, 'after the failed pin');
    expect(mm.checkPins().pinAcquired, 'pins taken').toBe(0);
  });

  it('passes on the errno pin_user_pages returns: -ENOMEM when the pages cannot be moved out of ZONE_MOVABLE', () => {
    // Only pfn 1 is free in ZONE_NORMAL, so FOLL_LONGTERM cannot migrate 3 pages there.
    const mm = sessionWithData(BUF, 3, { normalFrames: 2 });
    expect(pinUserBuffer(mm, BUF, 3), `pinUserBuffer(${hex(BUF)}, 3) with one free ZONE_NORMAL frame`).toEqual({ error: -ENOMEM });
    expectClean(mm, 'after the failed pin');
  });

  it('returns { pages: [] } for a buffer of zero pages: nothing to pin is not an error', () => {
    const mm = createSession(machine());
    expect(pinUserBuffer(mm, BUF, 0), `pinUserBuffer(${hex(BUF)}, 0)`).toEqual({ pages: [] });
    finishDma(mm, [], 0);
    expectClean(mm, 'after pinning and releasing nothing');
  });
});

describe('several buffers in one session', () => {
  it('keeps the books straight across successes and failures', () => {
    const mm = sessionWithData(BUF, 6);
    const a = pagesOf(pinUserBuffer(mm, BUF, 4), `pinUserBuffer(${hex(BUF)}, 4)`);
    expect(pinUserBuffer(mm, SMALL, 3), `pinUserBuffer(${hex(SMALL)}, 3)`).toEqual({ error: -EFAULT });
    expect(pinUserBuffer(mm, HOLE, 1), `pinUserBuffer(${hex(HOLE)}, 1)`).toEqual({ error: -EFAULT });
    const b = pagesOf(pinUserBuffer(mm, BUF + 4 * PG, 2), `pinUserBuffer(${hex(BUF + 4 * PG)}, 2)`);
    expect(pinUserBuffer(mm, BUF + 7 * PG, 2), `pinUserBuffer(${hex(BUF + 7 * PG)}, 2): into the read-only mapping`).toEqual({ error: -EFAULT });
    expect(Object.keys(heldPins(mm)).length, 'pages pinned while both buffers are in use').toBe(6);
    mm.dma(a);
    finishDma(mm, a, a.length);
    mm.dma(b);
    finishDma(mm, b, b.length);
    expectClean(mm, 'at the end');
    const r = mm.checkPins();
    expect(r.pinReleased, 'nr_foll_pin_released equals nr_foll_pin_acquired').toBe(r.pinAcquired);
  });
});
