import { describe, it, expect } from 'vitest';
import { pageSpan } from '@submission';

const hex = (n: number) => (Number.isFinite(n) && n >= 0 ? `0x${n.toString(16)}` : String(n));

type Span = { firstPage: number; lastPage: number; offset: number; npages: number };

/** Checks pageSpan(addr, len, pageSize), with the call in hex in the assertion message. */
function expectSpan(addr: number, len: number, pageSize: number, expected: Span) {
  const label = `pageSpan(${hex(addr)}, ${hex(len)}, ${hex(pageSize)})`;
  expect(pageSpan(addr, len, pageSize), label).toEqual(expected);
}

/** The answer by walking the buffer one byte at a time and noting each byte's page. */
function byteByByte(addr: number, len: number, pageSize: number): Span {
  const pages = new Set<number>();
  for (let b = addr; b < addr + len; b++) pages.add(Math.floor(b / pageSize));
  const firstPage = Math.min(...pages);
  return { firstPage, lastPage: Math.max(...pages), offset: addr - firstPage * pageSize, npages: pages.size };
}

/** Calls pageSpan and reports whether it threw a RangeError, for a readable failure list. */
function throwsRangeError(call: () => unknown): boolean {
  try {
    call();
    return false;
  } catch (e) {
    return e instanceof RangeError;
  }
}

describe('pageSpan: the offset and the pages', () => {
  it('finds the page and the offset of a small buffer inside one page', () => {
    expectSpan(0x7f001234, 100, 4096, { firstPage: 0x7f001, lastPage: 0x7f001, offset: 0x234, npages: 1 });
  });

  it('gives the offset within the page (addr & ~PAGE_MASK), not the page base (addr & PAGE_MASK)', () => {
    expect(pageSpan(0x7f001234, 16).offset, 'offset of 0x7f001234: the page base would be 0x7f001000').toBe(0x234);
    expect(pageSpan(0x7f002000, 16).offset, 'offset of the page-aligned 0x7f002000').toBe(0);
  });

  it('uses 4096 as the default page size', () => {
    expect(pageSpan(0x7f001234, 100), 'pageSpan(0x7f001234, 100)').toEqual(pageSpan(0x7f001234, 100, 4096));
  });

  it('counts 65 pages for a 256 KiB chunk that does not start on a page boundary', () => {
    expectSpan(0x7f001234, 0x40000, 4096, { firstPage: 0x7f001, lastPage: 0x7f041, offset: 0x234, npages: 65 });
  });

  it('counts exactly one page for one whole page-aligned page', () => {
    expectSpan(0x7f002000, 4096, 4096, { firstPage: 0x7f002, lastPage: 0x7f002, offset: 0, npages: 1 });
  });

  it('counts 16 pages for 64 KiB starting on a page boundary', () => {
    expectSpan(0x7f000000, 0x10000, 4096, { firstPage: 0x7f000, lastPage: 0x7f00f, offset: 0, npages: 16 });
  });

  it('takes the last page from the last byte (addr + len - 1), so a buffer ending at a page end stays on that page', () => {
    expectSpan(0x7f001f00, 0x100, 4096, { firstPage: 0x7f001, lastPage: 0x7f001, offset: 0xf00, npages: 1 });
  });

  it('counts two pages when two bytes straddle a page boundary', () => {
    expectSpan(0x7f001fff, 2, 4096, { firstPage: 0x7f001, lastPage: 0x7f002, offset: 0xfff, npages: 2 });
  });

  it('handles one-byte buffers at the first and the last byte of a page', () => {
    expectSpan(0x7f003000, 1, 4096, { firstPage: 0x7f003, lastPage: 0x7f003, offset: 0, npages: 1 });
    expectSpan(0x7f003fff, 1, 4096, { firstPage: 0x7f003, lastPage: 0x7f003, offset: 0xfff, npages: 1 });
  });
});

describe('pageSpan: 64-bit user addresses (above 2^32, up to 2^47)', () => {
  it('works just above 4 GiB, where 32-bit bitwise operators lose the high bits', () => {
    expectSpan(0x1_0000_0ffe, 4, 4096, { firstPage: 0x10_0000, lastPage: 0x10_0001, offset: 0xffe, npages: 2 });
  });

  it('works at typical mmap and heap addresses', () => {
    expectSpan(0x7f3a_5c81_2345, 0x3000, 4096, { firstPage: 0x7_f3a5_c812, lastPage: 0x7_f3a5_c815, offset: 0x345, npages: 4 });
    expectSpan(0x5555_5555_a2b0, 0x1d50, 4096, { firstPage: 0x5_5555_555a, lastPage: 0x5_5555_555b, offset: 0x2b0, npages: 2 });
  });

  it('works near the top of the x86-64 user address space, where the stack is', () => {
    expectSpan(0x7fff_ffff_d123, 0x1000, 4096, { firstPage: 0x7_ffff_fffd, lastPage: 0x7_ffff_fffe, offset: 0x123, npages: 2 });
  });

  it('agrees with a byte-by-byte walk for many small buffers, low and high in the address space', () => {
    const wrong: string[] = [];
    for (const base of [0, 2 ** 46]) {
      for (let addr = base; addr < base + 48; addr++) {
        for (let len = 1; len <= 40; len++) {
          const expected = byteByByte(addr, len, 16);
          const got = pageSpan(addr, len, 16);
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            wrong.push(`pageSpan(${hex(addr)}, ${len}, 16): expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 5), `${wrong.length} wrong answers; the first ones`).toEqual([]);
  });
});

describe('pageSpan: other page sizes', () => {
  it('works with 64 KiB pages (arm64) and 2 MiB huge pages', () => {
    expectSpan(0x7f3a_5c81_2345, 0x20000, 0x1_0000, { firstPage: 0x7f3a_5c81, lastPage: 0x7f3a_5c83, offset: 0x2345, npages: 3 });
    expectSpan(0x7f3a_5c81_2345, 0x30_0000, 0x20_0000, { firstPage: 0x3f9_d2e4, lastPage: 0x3f9_d2e5, offset: 0x1_2345, npages: 2 });
  });
});

describe('pageSpan: bad arguments throw RangeError', () => {
  it('rejects a length below 1', () => {
    expect(() => pageSpan(0x7f001000, 0), 'len 0').toThrow(RangeError);
    expect(() => pageSpan(0x7f001000, -4096), 'len -4096').toThrow(RangeError);
  });

  it('rejects a negative or non-integer address or length', () => {
    const cases: [string, () => unknown][] = [
      ['addr -1', () => pageSpan(-1, 16)],
      ['addr -4096', () => pageSpan(-4096, 16)],
      ['addr 4096.5', () => pageSpan(4096.5, 16)],
      ['addr NaN', () => pageSpan(NaN, 16)],
      ['len 1.5', () => pageSpan(0x7f001000, 1.5)],
      ['len NaN', () => pageSpan(0x7f001000, NaN)],
      ['len Infinity', () => pageSpan(0x7f001000, Infinity)],
    ];
    expect(cases.filter(([, call]) => !throwsRangeError(call)).map(([name]) => name), 'calls that did not throw RangeError').toEqual([]);
  });

  it('rejects a page size that is not a power of two', () => {
    const sizes = [0, 3000, 4095, 4097, 6144, 12288, -4096, 4096.5, NaN];
    expect(sizes.filter((s) => !throwsRangeError(() => pageSpan(0x7f001234, 16, s))), 'page sizes that did not throw RangeError').toEqual([]);
  });

  it('accepts every power-of-two page size', () => {
    for (const s of [2, 512, 4096, 0x1_0000, 0x20_0000, 0x4000_0000]) {
      expect(() => pageSpan(0x7f001234, 16, s), `pageSize ${hex(s)}`).not.toThrow();
    }
  });
});
