import { describe, it, expect } from 'vitest';
import { readyBuffers, release, nextFillSlot } from '@submission';

const U32 = 2 ** 32;

describe('readyBuffers', () => {
  it('lists the ready slots oldest first', () => {
    expect(readyBuffers({ produced: 6, consumed: 4, n: 4 })).toEqual([0, 1]);
    expect(readyBuffers({ produced: 3, consumed: 0, n: 8 })).toEqual([0, 1, 2]);
  });
  it('is empty when produced == consumed', () => {
    expect(readyBuffers({ produced: 5, consumed: 5, n: 4 })).toEqual([]);
  });
  it('lists all n slots when the ring is full (no slot is kept empty, unlike circ_buf)', () => {
    expect(readyBuffers({ produced: 8, consumed: 4, n: 4 })).toEqual([0, 1, 2, 3]);
    expect(readyBuffers({ produced: 7, consumed: 6, n: 1 })).toEqual([0]);
  });
  it('keeps working when the counters wrap past 2**32 - 1', () => {
    expect(readyBuffers({ produced: 1, consumed: U32 - 1, n: 4 })).toEqual([3, 0]);
    expect(readyBuffers({ produced: 2, consumed: U32 - 2, n: 4 })).toEqual([2, 3, 0, 1]);
    expect(readyBuffers({ produced: 0, consumed: U32 - 3, n: 65536 })).toEqual([65533, 65534, 65535]);
  });
  it('treats the counters as counts, not slot numbers', () => {
    expect(readyBuffers({ produced: 13, consumed: 11, n: 4 })).toEqual([3, 0]);
  });
});

describe('nextFillSlot', () => {
  it('is the slot of buffer number produced', () => {
    expect(nextFillSlot({ produced: 6, consumed: 4, n: 4 })).toBe(2);
    expect(nextFillSlot({ produced: 0, consumed: 0, n: 2 })).toBe(0);
    expect(nextFillSlot({ produced: 11, consumed: 11, n: 4 })).toBe(3);
  });
  it('lets the device fill the last free slot (n - 1 pending is not full)', () => {
    expect(nextFillSlot({ produced: 7, consumed: 4, n: 4 })).toBe(3);
  });
  it('is null when all n buffers wait for user space: the device must not overwrite one', () => {
    expect(nextFillSlot({ produced: 8, consumed: 4, n: 4 })).toBeNull();
    expect(nextFillSlot({ produced: 3, consumed: U32 - 1, n: 4 })).toBeNull();
    expect(nextFillSlot({ produced: 1, consumed: 0, n: 1 })).toBeNull();
  });
  it('wraps the counter correctly', () => {
    expect(nextFillSlot({ produced: 0, consumed: U32 - 2, n: 4 })).toBe(0);
    expect(nextFillSlot({ produced: U32 - 1, consumed: U32 - 1, n: 8 })).toBe(7);
  });
});

describe('release', () => {
  it('advances consumed and returns a new object, leaving ctl alone', () => {
    const ctl = Object.freeze({ produced: 6, consumed: 4, n: 4 });
    const out = release(ctl, 2);
    expect(out).toEqual({ produced: 6, consumed: 6, n: 4 });
    expect(out).not.toBe(ctl);
    expect(ctl).toEqual({ produced: 6, consumed: 4, n: 4 });
  });
  it('releasing 0 buffers is allowed', () => {
    expect(release({ produced: 6, consumed: 4, n: 4 }, 0)).toEqual({ produced: 6, consumed: 4, n: 4 });
  });
  it('wraps consumed at 2**32', () => {
    expect(release({ produced: 1, consumed: U32 - 1, n: 4 }, 2)).toEqual({ produced: 1, consumed: 1, n: 4 });
    expect(release({ produced: 0, consumed: U32 - 1, n: 2 }, 1)).toEqual({ produced: 0, consumed: 0, n: 2 });
  });
  it('refuses to release more than is ready, or a count that is not a whole number', () => {
    expect(() => release({ produced: 6, consumed: 4, n: 4 }, 3)).toThrow(RangeError);
    expect(() => release({ produced: 6, consumed: 6, n: 4 }, 1)).toThrow(RangeError);
    expect(() => release({ produced: 6, consumed: 4, n: 4 }, -1)).toThrow(RangeError);
    expect(() => release({ produced: 6, consumed: 4, n: 4 }, 1.5)).toThrow(RangeError);
    expect(() => release({ produced: 6, consumed: 4, n: 4 }, Number.NaN)).toThrow(RangeError);
  });
});

describe('impossible control words throw RangeError from all three', () => {
  const bad = [
    { produced: 0, consumed: 0, n: 3 },
    { produced: 0, consumed: 0, n: 0 },
    { produced: 0, consumed: 0, n: 131072 },
    { produced: 0, consumed: 0, n: 2.5 },
    { produced: -1, consumed: 0, n: 4 },
    { produced: U32, consumed: 0, n: 4 },
    { produced: 1.5, consumed: 0, n: 4 },
    { produced: 0, consumed: U32, n: 4 },
    { produced: 0, consumed: -2, n: 4 },
    { produced: 9, consumed: 4, n: 4 },
    { produced: 0, consumed: 1, n: 4 },
    { produced: 3, consumed: U32 - 2, n: 4 },
  ];
  for (const ctl of bad) {
    it(`rejects ${JSON.stringify(ctl)}`, () => {
      expect(() => readyBuffers(ctl)).toThrow(RangeError);
      expect(() => nextFillSlot(ctl)).toThrow(RangeError);
      expect(() => release(ctl, 0)).toThrow(RangeError);
    });
  }
});
