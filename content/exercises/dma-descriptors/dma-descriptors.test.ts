import { describe, it, expect } from 'vitest';
import { toDescriptors } from '@submission';

type Seg = { addr: number; len: number };

const hex = (n: number) => (Number.isFinite(n) && n >= 0 ? `0x${n.toString(16)}` : String(n));
const d = (addr: number, len: number): Seg => ({ addr, len });
const LIMIT = 256 * 1024; // 0x40000, the 256 KiB limit of the device in the question

/** Checks toDescriptors(segs, nents, maxLen), with the call in hex in the assertion message. */
function expectDescriptors(segs: Seg[], nents: number, maxLen: number, expected: Seg[]) {
  const label = `toDescriptors([${segs.map((s) => `{${hex(s.addr)}, ${hex(s.len)}}`).join(', ')}], ${nents}, ${hex(maxLen)})`;
  expect(toDescriptors(segs, nents, maxLen), label).toEqual(expected);
}

/** Calls toDescriptors and reports whether it threw a RangeError, for a readable failure list. */
function throwsRangeError(call: () => unknown): boolean {
  try {
    call();
    return false;
  } catch (e) {
    return e instanceof RangeError;
  }
}

describe('toDescriptors: splitting a segment', () => {
  it('copies a segment shorter than maxLen as one descriptor', () => {
    expectDescriptors([d(0xfffc_0000, 0x3000)], 1, LIMIT, [d(0xfffc_0000, 0x3000)]);
  });

  it('makes exactly one descriptor for a segment of exactly maxLen bytes, with no empty one after it', () => {
    expectDescriptors([d(0x8000_0000, 0x4_0000)], 1, LIMIT, [d(0x8000_0000, 0x4_0000)]);
  });

  it('makes two descriptors for a segment one byte longer than maxLen', () => {
    expectDescriptors([d(0x8000_0000, 0x4_0001)], 1, LIMIT, [d(0x8000_0000, 0x4_0000), d(0x8004_0000, 1)]);
  });

  it('splits a 1 MiB segment into four 256 KiB descriptors', () => {
    expectDescriptors([d(0x1_0000_0000, 0x10_0000)], 1, LIMIT, [
      d(0x1_0000_0000, 0x4_0000),
      d(0x1_0004_0000, 0x4_0000),
      d(0x1_0008_0000, 0x4_0000),
      d(0x1_000c_0000, 0x4_0000),
    ]);
  });

  it('advances the address by maxLen and puts the remainder last, also across the 4 GiB line', () => {
    expectDescriptors([d(0xfff0_1234, 0x9_0000)], 1, LIMIT, [d(0xfff0_1234, 0x4_0000), d(0xfff4_1234, 0x4_0000), d(0xfff8_1234, 0x1_0000)]);
    expectDescriptors([d(0xffff_0000, 0x3_0000)], 1, 0x2_0000, [d(0xffff_0000, 0x2_0000), d(0x1_0001_0000, 0x1_0000)]);
  });

  it('covers every small segment exactly, for every length and limit', () => {
    const wrong: string[] = [];
    for (let len = 1; len <= 40; len++) {
      for (let maxLen = 1; maxLen <= 12; maxLen++) {
        const n = Math.ceil(len / maxLen);
        const expected = Array.from({ length: n }, (_, i) => d(0x1000 + i * maxLen, i < n - 1 ? maxLen : len - (n - 1) * maxLen));
        const got = toDescriptors([d(0x1000, len)], 1, maxLen);
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          wrong.push(`toDescriptors([{0x1000, ${len}}], 1, ${maxLen}): expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
        }
      }
    }
    expect(wrong.slice(0, 3), `${wrong.length} wrong answers; the first ones`).toEqual([]);
  });
});

describe('toDescriptors: several segments and the count from dma_map_sg', () => {
  it('splits each segment on its own, in list order', () => {
    expectDescriptors([d(0x2000_0000, 0x5_0000), d(0x1000_0000, 0x1000), d(0x3000_0000, 0x8_0000)], 3, LIMIT, [
      d(0x2000_0000, 0x4_0000),
      d(0x2004_0000, 0x1_0000),
      d(0x1000_0000, 0x1000),
      d(0x3000_0000, 0x4_0000),
      d(0x3004_0000, 0x4_0000),
    ]);
  });

  it('keeps segments apart even when one ends where the next begins', () => {
    expectDescriptors([d(0x1000_0000, 0x3000), d(0x1000_3000, 0x2000)], 2, 0x4000, [d(0x1000_0000, 0x3000), d(0x1000_3000, 0x2000)]);
    expectDescriptors([d(0x1000_0000, 0x3_0000), d(0x1003_0000, 0x3_0000)], 2, LIMIT, [d(0x1000_0000, 0x3_0000), d(0x1003_0000, 0x3_0000)]);
  });

  it('uses every entry when nents is the whole list (dma-direct returns nents unchanged)', () => {
    expectDescriptors([d(0x7_2000_0000, 0x1000), d(0x3_1a00_0000, 0x1000)], 2, LIMIT, [d(0x7_2000_0000, 0x1000), d(0x3_1a00_0000, 0x1000)]);
  });

  it('ignores the entries after nents, whatever they hold', () => {
    const segs = [d(0xffe0_0000, 0x8000), d(0xffd0_0000, 0x2000), d(0xdead_0000, 0x1000), d(0xbeef_0000, 0x5_0000), d(0x1234_5000, 0x1000)];
    expectDescriptors(segs, 2, LIMIT, [d(0xffe0_0000, 0x8000), d(0xffd0_0000, 0x2000)]);
  });

  it('gives one descriptor when an IOMMU merged four page entries into one segment', () => {
    // After the merge, the IOMMU code sets the unused entries' DMA length to 0.
    const segs = [d(0xfffc_0000, 0x4000), d(0, 0), d(0, 0), d(0, 0)];
    expectDescriptors(segs, 1, LIMIT, [d(0xfffc_0000, 0x4000)]);
  });

  it('returns no descriptors when nents is 0', () => {
    expectDescriptors([d(0xfffc_0000, 0x4000), d(0xfffd_0000, 0x1000)], 0, LIMIT, []);
    expectDescriptors([], 0, LIMIT, []);
  });

  it('does not change the list it is given', () => {
    const segs = [d(0x2000_0000, 0x5_0000), d(0x1000_0000, 0x1000), d(0x3000_0000, 0x8_0000)];
    toDescriptors(segs, 2, LIMIT);
    expect(segs, 'segs after the call').toEqual([d(0x2000_0000, 0x5_0000), d(0x1000_0000, 0x1000), d(0x3000_0000, 0x8_0000)]);
  });
});

describe('toDescriptors: bad arguments throw RangeError', () => {
  it('rejects an nents that is negative, not an integer, or larger than the list', () => {
    const two = [d(0x1000_0000, 0x1000), d(0x2000_0000, 0x1000)];
    const cases: [string, () => unknown][] = [
      ['nents -1', () => toDescriptors(two, -1, LIMIT)],
      ['nents -12 (an error code)', () => toDescriptors(two, -12, LIMIT)],
      ['nents 1.5', () => toDescriptors(two, 1.5, LIMIT)],
      ['nents NaN', () => toDescriptors(two, NaN, LIMIT)],
      ['nents 3 with 2 entries', () => toDescriptors(two, 3, LIMIT)],
      ['nents 1 with no entries', () => toDescriptors([], 1, LIMIT)],
    ];
    expect(cases.filter(([, call]) => !throwsRangeError(call)).map(([name]) => name), 'calls that did not throw RangeError').toEqual([]);
  });

  it('rejects a maxLen below 1', () => {
    const one = [d(0x1000_0000, 0x1000)];
    for (const maxLen of [0, -1, 0.5]) {
      expect(() => toDescriptors(one, 1, maxLen), `maxLen ${maxLen}`).toThrow(RangeError);
    }
  });
});
