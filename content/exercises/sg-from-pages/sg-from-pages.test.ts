import { describe, it, expect } from 'vitest';
import { sgFromPages } from '@submission';

type Entry = { pfn: number; offset: number; length: number };

const hex = (n: number) => (Number.isFinite(n) && n >= 0 ? `0x${n.toString(16)}` : String(n));
const e = (pfn: number, offset: number, length: number): Entry => ({ pfn, offset, length });
/** n consecutive frame numbers starting at `first`. */
const run = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

/** Checks sgFromPages(...) against the expected entries, with the call in hex in the message. */
function expectEntries(pfns: number[], offset: number, len: number, pageSize: number, maxSegment: number, expected: Entry[]) {
  const label = `sgFromPages([${pfns.map(hex).join(', ')}], ${hex(offset)}, ${hex(len)}, ${hex(pageSize)}, ${hex(maxSegment)})`;
  expect(sgFromPages(pfns, offset, len, pageSize, maxSegment), label).toEqual(expected);
}

/**
 * Checks the rules on one result and returns the first one broken (or null): the lengths add
 * up to len, only the first entry has an offset, each entry is at most maxSegment bytes and
 * covers whole pages (partial only at the buffer's two ends) whose frames are consecutive, and
 * no entry could have grown over the first page of the next one.
 */
function brokenRule(got: Entry[], pfns: number[], offset: number, len: number, pageSize: number, maxSegment: number): string | null {
  if (!Array.isArray(got) || got.length === 0) return 'expected at least one entry';
  const bytesIn = (i: number) => Math.min((i + 1) * pageSize, offset + len) - Math.max(i * pageSize, offset);
  let page = 0; // index in pfns of the next entry's first page
  const firstPage: number[] = [];
  for (let k = 0; k < got.length; k++) {
    const { pfn, offset: off, length } = got[k];
    if (off !== (k === 0 ? offset : 0)) return `entry ${k} has offset ${off}: only the first entry has an offset (${offset})`;
    if (!(length > 0 && length <= maxSegment)) return `entry ${k} has length ${length}: it must be between 1 and maxSegment (${maxSegment})`;
    if (page >= pfns.length || pfn !== pfns[page]) return `entry ${k} starts at frame ${pfn}, but the next page of the buffer is frame ${pfns[page]}`;
    firstPage.push(page);
    let covered = 0;
    while (covered < length && page < pfns.length) {
      if (covered > 0 && pfns[page] !== pfns[page - 1] + 1) return `entry ${k} runs from frame ${pfns[page - 1]} on to frame ${pfns[page]}, which is not the next frame`;
      covered += bytesIn(page);
      page++;
    }
    if (covered < length) return `entry ${k} has length ${length}, but the buffer has only ${covered} bytes left from where it starts`;
    if (covered > length) return `entry ${k} has length ${length}, which ends in the middle of a page of the buffer`;
  }
  if (page !== pfns.length) return `the entries cover ${page} of the ${pfns.length} pages`;
  for (let k = 0; k + 1 < got.length; k++) {
    const next = firstPage[k + 1];
    if (pfns[next] === pfns[next - 1] + 1 && got[k].length + bytesIn(next) <= maxSegment) {
      return `entry ${k} should have grown over frame ${pfns[next]}: it follows frame ${pfns[next - 1]} and the entry would be ${got[k].length + bytesIn(next)} <= ${maxSegment} bytes`;
    }
  }
  return null;
}

describe('sgFromPages: entries and merging', () => {
  it('describes a buffer inside one page with one entry at its offset', () => {
    expectEntries([0x1234], 0x100, 0x200, 4096, Infinity, [e(0x1234, 0x100, 0x200)]);
  });

  it('uses a page size of 4096 and no segment limit by default', () => {
    expect(sgFromPages(run(0x1000, 40), 0, 40 * 4096), '40 consecutive pages, default page size and maxSegment').toEqual([e(0x1000, 0, 40 * 4096)]);
  });

  it('gives scattered pages one entry each: the first from the offset to the page end, the middle ones whole, the last up to the buffer end', () => {
    expectEntries([0x9a1, 0x3f7, 0x6c2], 0x234, 0x2000, 4096, Infinity, [e(0x9a1, 0x234, 0xdcc), e(0x3f7, 0, 0x1000), e(0x6c2, 0, 0x234)]);
  });

  it('merges physically consecutive pages into one entry', () => {
    expectEntries(run(0x1000, 4), 0, 0x4000, 4096, Infinity, [e(0x1000, 0, 0x4000)]);
  });

  it('merges consecutive pages for a buffer that starts and ends inside a page', () => {
    expectEntries(run(0x2000, 3), 0x234, 0x2100, 4096, Infinity, [e(0x2000, 0x234, 0x2100)]);
  });

  it('starts a new entry wherever the next frame is not the previous one plus 1', () => {
    // Runs: 0x10-0x12, 0x40-0x41, then 0x13 (it follows 0x12, but 0x41 comes before it).
    expectEntries([0x10, 0x11, 0x12, 0x40, 0x41, 0x13], 0x800, 0x5400, 4096, Infinity, [e(0x10, 0x800, 0x2800), e(0x40, 0, 0x2000), e(0x13, 0, 0xc00)]);
  });

  it('does not merge frames that go down, or the same frame mapped twice', () => {
    expectEntries([0x51, 0x50], 0, 0x2000, 4096, Infinity, [e(0x51, 0, 0x1000), e(0x50, 0, 0x1000)]);
    expectEntries([0x77, 0x77], 0, 0x2000, 4096, Infinity, [e(0x77, 0, 0x1000), e(0x77, 0, 0x1000)]);
  });
});

describe('sgFromPages: maxSegment', () => {
  it('splits a long run of consecutive frames into entries of at most maxSegment bytes', () => {
    expectEntries(run(0x100, 8), 0, 0x8000, 4096, 0x3000, [e(0x100, 0, 0x3000), e(0x103, 0, 0x3000), e(0x106, 0, 0x2000)]);
  });

  it('allows an entry of exactly maxSegment bytes', () => {
    expectEntries(run(0x100, 4), 0, 0x4000, 4096, 0x4000, [e(0x100, 0, 0x4000)]);
  });

  it('measures an entry by the bytes it holds: a first page that starts at an offset holds fewer', () => {
    // 0x800 + 0x1000 + 0x1000 = 0x2800 fits; one more page would make 0x3800.
    expectEntries(run(0x200, 5), 0x800, 0x4000, 4096, 0x2800, [e(0x200, 0x800, 0x2800), e(0x203, 0, 0x1800)]);
  });

  it('lets a partial last page join an entry when its remaining bytes still fit', () => {
    expectEntries(run(0x300, 3), 0, 0x2400, 4096, 0x2800, [e(0x300, 0, 0x2400)]);
  });

  it('gives one entry per page when maxSegment is one page, even for consecutive frames', () => {
    expectEntries(run(0x400, 3), 0x234, 0x2000, 4096, 4096, [e(0x400, 0x234, 0xdcc), e(0x401, 0, 0x1000), e(0x402, 0, 0x234)]);
  });
});

describe('sgFromPages: other page sizes, and the rules on many shapes', () => {
  it('works with 64 KiB pages', () => {
    expectEntries([0x10, 0x11], 0x1234, 0x1_0000, 0x1_0000, Infinity, [e(0x10, 0x1234, 0x1_0000)]);
    expectEntries([0x10, 0x20], 0x1234, 0x1_0000, 0x1_0000, Infinity, [e(0x10, 0x1234, 0xedcc), e(0x20, 0, 0x1234)]);
  });

  it('follows every rule for many buffers on 16-byte pages', () => {
    const patterns = [[5], [5, 6], [5, 9], [6, 5], [5, 6, 7], [5, 6, 9], [9, 5, 6], [7, 7, 8], [5, 6, 7, 8], [1, 2, 9, 10, 11], [3, 4, 5, 6, 7]];
    const wrong: string[] = [];
    for (const pfns of patterns) {
      const n = pfns.length;
      for (let offset = 0; offset < 16; offset++) {
        for (let len = Math.max(1, (n - 1) * 16 - offset + 1); offset + len <= n * 16; len++) {
          for (const maxSegment of [16, 20, 32, 40, 48, Infinity]) {
            const got = sgFromPages(pfns, offset, len, 16, maxSegment);
            const rule = brokenRule(got, pfns, offset, len, 16, maxSegment);
            if (rule) wrong.push(`sgFromPages([${pfns}], ${offset}, ${len}, 16, ${maxSegment}) = ${JSON.stringify(got)}: ${rule}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 3), `${wrong.length} results break a rule; the first ones`).toEqual([]);
  });
});

describe('sgFromPages: bad arguments throw RangeError', () => {
  it('rejects a length below 1', () => {
    expect(() => sgFromPages([0x10], 0, 0), 'len 0').toThrow(RangeError);
    expect(() => sgFromPages([0x10], 0, -1), 'len -1').toThrow(RangeError);
  });

  it('rejects an offset outside [0, pageSize)', () => {
    expect(() => sgFromPages([0x10, 0x11], -1, 0x100), 'offset -1').toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], 4096, 0x100), 'offset 4096 with 4 KiB pages').toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], 0x1_0000, 0x100, 0x1_0000), 'offset 0x10000 with 64 KiB pages').toThrow(RangeError);
  });

  it('rejects a maxSegment smaller than a page', () => {
    expect(() => sgFromPages([0x10], 0, 0x100, 4096, 2048), 'maxSegment 2048').toThrow(RangeError);
    expect(() => sgFromPages([0x10], 0, 0x100, 4096, 4095), 'maxSegment 4095').toThrow(RangeError);
    expect(() => sgFromPages([0x10], 0, 0x100, 4096, 0), 'maxSegment 0').toThrow(RangeError);
  });

  it('rejects a frame list that is not exactly one frame per page touched', () => {
    expect(() => sgFromPages([0x10], 0x234, 0x1000), '[0x10] for 0x1000 bytes at offset 0x234 (2 pages)').toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], 0, 0x100), '[0x10, 0x11] for 0x100 bytes at offset 0 (1 page)').toThrow(RangeError);
    expect(() => sgFromPages([0x10, 0x11], 0, 0x1000), '[0x10, 0x11] for exactly one page').toThrow(RangeError);
    expect(() => sgFromPages([], 0, 1), '[] for 1 byte').toThrow(RangeError);
  });
});
