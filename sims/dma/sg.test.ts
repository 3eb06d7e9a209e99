import { describe, expect, it } from 'vitest';
import {
  UINT_MAX,
  alignedMaxSegment,
  bytesInPage,
  forEachSg,
  pagesSpanned,
  sgAllocTableFromPages,
  sgFromPages,
  sgPlacePage,
  subBuffer,
} from './sg.ts';
import type { SgEntry, SgTable } from './types.ts';

/** n consecutive frame numbers starting at `first`. */
const run = (first: number, n: number): number[] => Array.from({ length: n }, (_, i) => first + i);

/** The CPU side of a table: [pfn, offset, length] per entry. */
const cpu = (t: SgTable): [number, number, number][] => t.sgl.map((e) => [e.pfn, e.offset, e.length]);
const ex = (es: { pfn: number; offset: number; length: number }[]): [number, number, number][] => es.map((e) => [e.pfn, e.offset, e.length]);

/**
 * The kernel's rule, checked on a result: lengths add up, only entry 0 has an offset, each
 * entry's frames are consecutive and at most max/pageSize of them, and no entry could have
 * grown over the next one's first page.
 */
function kernelRuleBroken(t: SgTable, pfns: number[], offset: number, len: number, ps: number, maxSeg: number): string | null {
  const max = alignedMaxSegment(maxSeg, ps);
  let page = 0;
  let total = 0;
  for (let k = 0; k < t.sgl.length; k++) {
    const e = t.sgl[k];
    if (e.offset !== (k === 0 ? offset : 0)) return `entry ${k} offset ${e.offset}`;
    if (e.pfn !== pfns[page]) return `entry ${k} starts at the wrong frame`;
    if (e.npages * ps > max) return `entry ${k} spans ${e.npages} pages, more than max_segment`;
    for (let j = 1; j < e.npages; j++) if (pfns[page + j] !== pfns[page + j - 1] + 1) return `entry ${k} spans non-consecutive frames`;
    let bytes = 0;
    for (let j = 0; j < e.npages; j++) bytes += bytesInPage(page + j, offset, len, ps);
    if (bytes !== e.length) return `entry ${k} length ${e.length} != ${bytes}`;
    if (k > 0) {
      const prev = t.sgl[k - 1];
      if (pfns[page] === pfns[page - 1] + 1 && (prev.npages + 1) * ps <= max) return `entry ${k - 1} should have grown`;
    }
    page += e.npages;
    total += e.length;
  }
  if (page !== pfns.length) return `covers ${page} of ${pfns.length} pages`;
  if (total !== len) return `lengths add up to ${total}, not ${len}`;
  return null;
}

describe('sgAllocTableFromPages: the kernel rule (sg_alloc_table_from_pages_segment)', () => {
  it('describes a buffer inside one page with one entry at its offset', () => {
    const t = sgAllocTableFromPages([0x1234], 0x100, 0x200);
    expect(t).toEqual({
      sgl: [{ pfn: 0x1234, offset: 0x100, length: 0x200, npages: 1, bufferOffset: 0, dma_address: null, dma_length: 0, owner: 'cpu' }],
      nents: 1,
      orig_nents: 1,
    });
  });

  it('splits a small buffer that crosses a page boundary into two entries when the frames are apart', () => {
    expect(cpu(sgAllocTableFromPages([0x10, 0x20], 0xf00, 0x200))).toEqual([
      [0x10, 0xf00, 0x100],
      [0x20, 0, 0x100],
    ]);
    // ... and into one when they are consecutive.
    expect(cpu(sgAllocTableFromPages([0x10, 0x11], 0xf00, 0x200))).toEqual([[0x10, 0xf00, 0x200]]);
  });

  it('merges a buffer on consecutive frames into one entry (40 pages, no limit)', () => {
    const t = sgAllocTableFromPages(run(0x1000, 40), 0, 40 * 4096);
    expect(cpu(t)).toEqual([[0x1000, 0, 40 * 4096]]);
    expect(t.sgl[0].npages).toBe(40);
  });

  it('gives scattered frames one entry each: first from the offset, middle whole, last short', () => {
    const t = sgAllocTableFromPages([0x9a1, 0x3f7, 0x6c2], 0x234, 0x2000);
    expect(cpu(t)).toEqual([
      [0x9a1, 0x234, 0xdcc],
      [0x3f7, 0, 0x1000],
      [0x6c2, 0, 0x234],
    ]);
    expect(t.sgl.map((e) => e.bufferOffset)).toEqual([0, 0xdcc, 0x1dcc]);
    expect([t.nents, t.orig_nents]).toEqual([3, 3]);
  });

  it('merges runs of consecutive frames and starts a new entry at each break', () => {
    expect(cpu(sgAllocTableFromPages([0x10, 0x11, 0x12, 0x40, 0x41, 0x13], 0x800, 0x5400))).toEqual([
      [0x10, 0x800, 0x2800],
      [0x40, 0, 0x2000],
      [0x13, 0, 0xc00],
    ]);
  });

  it('never merges frames that go down, or the same frame twice', () => {
    expect(cpu(sgAllocTableFromPages([0x51, 0x50], 0, 0x2000))).toEqual([
      [0x51, 0, 0x1000],
      [0x50, 0, 0x1000],
    ]);
    expect(cpu(sgAllocTableFromPages([0x77, 0x77], 0, 0x2000))).toEqual([
      [0x77, 0, 0x1000],
      [0x77, 0, 0x1000],
    ]);
  });

  it('leaves the DMA side empty and every entry CPU-owned', () => {
    const t = sgAllocTableFromPages([0x10, 0x11, 0x40], 0x100, 0x2000);
    for (const e of t.sgl) expect([e.dma_address, e.dma_length, e.owner]).toEqual([null, 0, 'cpu']);
  });
});

describe('sgAllocTableFromPages: max_segment', () => {
  it('splits a long run into entries of max_segment / PAGE_SIZE pages', () => {
    expect(cpu(sgAllocTableFromPages(run(0x100, 8), 0, 0x8000, 0x3000))).toEqual([
      [0x100, 0, 0x3000],
      [0x103, 0, 0x3000],
      [0x106, 0, 0x2000],
    ]);
  });

  it('allows an entry of exactly max_segment', () => {
    expect(cpu(sgAllocTableFromPages(run(0x100, 4), 0, 0x4000, 0x4000))).toEqual([[0x100, 0, 0x4000]]);
  });

  it('with max_segment = PAGE_SIZE gives one entry per page, like the seed\'s first/middle/last sg_set_page loop', () => {
    expect(cpu(sgAllocTableFromPages(run(0x400, 3), 0x234, 0x2000, 4096))).toEqual([
      [0x400, 0x234, 0xdcc],
      [0x401, 0, 0x1000],
      [0x402, 0, 0x234],
    ]);
  });

  it('aligns max_segment down to whole pages and counts pages, whatever the offset', () => {
    // 0x2800 aligns down to 0x2000: two pages per entry, so the first entry holds only 0x1800.
    expect(cpu(sgAllocTableFromPages(run(0x200, 5), 0x800, 0x4000, 0x2800))).toEqual([
      [0x200, 0x800, 0x1800],
      [0x202, 0, 0x2000],
      [0x204, 0, 0x800],
    ]);
    // A partial last page does not join a full entry either.
    expect(cpu(sgAllocTableFromPages(run(0x300, 3), 0, 0x2400, 0x2800))).toEqual([
      [0x300, 0, 0x2000],
      [0x302, 0, 0x400],
    ]);
    // 6000 aligns down to one page.
    expect(sgAllocTableFromPages(run(0x300, 3), 0, 0x3000, 6000).sgl).toHaveLength(3);
  });

  it('defaults to UINT_MAX and caps larger values there (sg_alloc_table_from_pages)', () => {
    expect(alignedMaxSegment(null, 4096)).toBe(0xfffff000);
    expect(alignedMaxSegment(Infinity, 4096)).toBe(0xfffff000);
    expect(alignedMaxSegment(2 ** 40, 4096)).toBe(0xfffff000);
    expect(alignedMaxSegment(UINT_MAX, 65536)).toBe(0xffff0000);
  });

  it('rejects a max_segment below one page once aligned (-EINVAL in the kernel)', () => {
    expect(() => sgAllocTableFromPages([0x10], 0, 0x100, 2048)).toThrow(RangeError);
    expect(() => sgAllocTableFromPages([0x10], 0, 0x100, 4095)).toThrow(RangeError);
    expect(() => sgAllocTableFromPages([0x10], 0, 0x100, 0)).toThrow(RangeError);
    expect(() => sgAllocTableFromPages([0x10], 0, 0x100, NaN)).toThrow(RangeError);
  });

  it('keeps every rule on many shapes of buffer (16-byte pages)', () => {
    const patterns = [[5], [5, 6], [5, 9], [6, 5], [5, 6, 7], [5, 6, 9], [9, 5, 6], [7, 7, 8], [5, 6, 7, 8], [1, 2, 9, 10, 11], [3, 4, 5, 6, 7]];
    const wrong: string[] = [];
    for (const pfns of patterns) {
      const n = pfns.length;
      for (let offset = 0; offset < 16; offset++) {
        for (let len = Math.max(1, (n - 1) * 16 - offset + 1); offset + len <= n * 16; len++) {
          for (const max of [16, 20, 32, 40, 48, Infinity]) {
            const t = sgAllocTableFromPages(pfns, offset, len, max, 16);
            const broken = kernelRuleBroken(t, pfns, offset, len, 16, max);
            if (broken) wrong.push(`[${pfns}] ${offset} ${len} ${max}: ${broken}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });
});

describe('sgFromPages: the sg-from-pages exercise rule (bytes)', () => {
  it('gives the statement\'s examples', () => {
    expect(ex(sgFromPages([0x9a1, 0x3f7, 0x6c2], 0x234, 0x2100))).toEqual([
      [0x9a1, 0x234, 0xdcc],
      [0x3f7, 0, 0x1000],
      [0x6c2, 0, 0x334],
    ]);
    expect(ex(sgFromPages(run(0x2000, 3), 0x234, 0x2100))).toEqual([[0x2000, 0x234, 0x2100]]);
    expect(ex(sgFromPages(run(0x2000, 3), 0x234, 0x2100, 4096, 0x2000))).toEqual([
      [0x2000, 0x234, 0x1dcc],
      [0x2002, 0, 0x334],
    ]);
  });

  it('measures bytes where the kernel counts pages: it may take one more page', () => {
    expect(ex(sgFromPages(run(0x200, 5), 0x800, 0x4000, 4096, 0x2800))).toEqual([
      [0x200, 0x800, 0x2800],
      [0x203, 0, 0x1800],
    ]);
    expect(ex(sgFromPages(run(0x300, 3), 0, 0x2400, 4096, 0x2800))).toEqual([[0x300, 0, 0x2400]]);
  });

  it('agrees with the kernel with no limit, and with a page-multiple limit on page-aligned, whole-page buffers', () => {
    const patterns = [[5, 6, 7, 8], [1, 2, 9, 10, 11], [3, 4, 5, 6, 7], [9, 5, 6]];
    for (const pfns of patterns) {
      const n = pfns.length;
      for (let offset = 0; offset < 16; offset++) {
        for (let len = Math.max(1, (n - 1) * 16 - offset + 1); offset + len <= n * 16; len++) {
          expect(ex(sgFromPages(pfns, offset, len, 16))).toEqual(cpu(sgAllocTableFromPages(pfns, offset, len, Infinity, 16)));
        }
      }
      for (const max of [16, 32, 48]) {
        expect(ex(sgFromPages(pfns, 0, n * 16, 16, max))).toEqual(cpu(sgAllocTableFromPages(pfns, 0, n * 16, max, 16)));
      }
    }
  });

  it('throws RangeError on the statement\'s bad arguments', () => {
    expect(() => sgFromPages([0x10], 0, 0)).toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], -1, 0x100)).toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], 4096, 0x100)).toThrow(RangeError);
    expect(() => sgFromPages([0x10], 0, 0x100, 4096, 4095)).toThrow(RangeError);
    expect(() => sgFromPages([0x10], 0x234, 0x1000)).toThrow(RangeError);
    expect(() => sgFromPages([], 0, 1)).toThrow(RangeError);
  });
});

describe('buffer validation', () => {
  it('throws RangeError naming the problem', () => {
    expect(() => sgAllocTableFromPages([0x10], 0, 0)).toThrow(/len/);
    expect(() => sgAllocTableFromPages([0x10], -1, 1)).toThrow(/offset/);
    expect(() => sgAllocTableFromPages([0x10], 4096, 1)).toThrow(/offset/);
    expect(() => sgAllocTableFromPages([0x10], 0.5, 1)).toThrow(/offset/);
    expect(() => sgAllocTableFromPages([0x10, 0x11], 0, 4096)).toThrow(/touches 1 pages, but 2/);
    expect(() => sgAllocTableFromPages([0x10], 0x234, 4096)).toThrow(/touches 2 pages, but 1/);
    expect(() => sgAllocTableFromPages([-1], 0, 1)).toThrow(/pfns\[0\]/);
    expect(() => sgAllocTableFromPages([1.5], 0, 1)).toThrow(/pfns\[0\]/);
    expect(() => sgAllocTableFromPages([0x10], 0, 1, UINT_MAX, 3000)).toThrow(/pageSize/);
    for (const f of [() => sgAllocTableFromPages([0x10], 0, 0), () => sgAllocTableFromPages([0x10, 0x11], 0, 1)]) expect(f).toThrow(RangeError);
  });

  it('counts pages as DIV_ROUND_UP(offset + len, pageSize)', () => {
    expect(pagesSpanned(0, 4096, 4096)).toBe(1);
    expect(pagesSpanned(1, 4096, 4096)).toBe(2);
    expect(pagesSpanned(0x234, 0x2000, 4096)).toBe(3);
    expect([0, 1, 2].map((i) => bytesInPage(i, 0x234, 0x2000, 4096))).toEqual([0xdcc, 0x1000, 0x234]);
  });
});

describe('sgPlacePage: one page at a time', () => {
  it('reports each decision and never changes its input', () => {
    const buf = { pfns: [0x200, 0x201, 0x202, 0x40], offset: 0x10, len: 3 * 4096 + 100 };
    let sgl: SgEntry[] = [];
    const kinds: string[] = [];
    for (let p = 0; p < buf.pfns.length; p++) {
      const before = JSON.stringify(sgl);
      const r = sgPlacePage(sgl, buf, p, 8192, 4096);
      expect(JSON.stringify(sgl)).toBe(before);
      kinds.push(r.decision.kind === 'merge' ? `merge:${r.decision.entry}` : `start:${r.decision.entry}:${r.decision.reason}`);
      sgl = r.sgl;
    }
    expect(kinds).toEqual(['start:0:first', 'merge:0', 'start:1:max-segment', 'start:2:not-consecutive']);
    expect(sgl.map((e) => [e.length, e.bufferOffset])).toEqual([
      [8192 - 0x10, 0],
      [4096, 8192 - 0x10],
      [100 + 0x10, 3 * 4096 - 0x10],
    ]);
  });
});

describe('subBuffer: the pages of one chunk', () => {
  const buf = { pfns: [0x400, 0x401, 0x402, 0x7a0, 0x7a1, 0x7a2, 0x7a3, 0x150, 0x151, 0x9f0, 0x9f1], offset: 0x800, len: 40960 };

  it('cuts a buffer at chunk boundaries; a page at a boundary belongs to both chunks', () => {
    expect(subBuffer(buf, 0, 16384, 4096)).toEqual({ pfns: [0x400, 0x401, 0x402, 0x7a0, 0x7a1], offset: 0x800, len: 16384 });
    expect(subBuffer(buf, 16384, 16384, 4096)).toEqual({ pfns: [0x7a1, 0x7a2, 0x7a3, 0x150, 0x151], offset: 0x800, len: 16384 });
    expect(subBuffer(buf, 32768, 8192, 4096)).toEqual({ pfns: [0x151, 0x9f0, 0x9f1], offset: 0x800, len: 8192 });
    expect(subBuffer(buf, 0x800, 0x800, 4096)).toEqual({ pfns: [0x401], offset: 0, len: 0x800 });
  });

  it('throws RangeError outside the buffer', () => {
    expect(() => subBuffer(buf, 40960, 1, 4096)).toThrow(RangeError);
    expect(() => subBuffer(buf, 0, 0, 4096)).toThrow(RangeError);
    expect(() => subBuffer(buf, -1, 2, 4096)).toThrow(RangeError);
  });
});

describe('forEachSg', () => {
  it('visits the first nents entries and checks nents', () => {
    const t = sgAllocTableFromPages([0x10, 0x20, 0x30], 0, 3 * 4096);
    const seen: number[] = [];
    forEachSg(t.sgl, 2, (sg, i) => seen.push(i, sg.pfn));
    expect(seen).toEqual([0, 0x10, 1, 0x20]);
    expect(() => forEachSg(t.sgl, 4, () => {})).toThrow(RangeError);
    expect(() => forEachSg(t.sgl, -1, () => {})).toThrow(RangeError);
  });
});
