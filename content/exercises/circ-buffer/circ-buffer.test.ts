import { describe, it, expect } from 'vitest';
import { circSpaceToEnd, uartWrite } from '@submission';

/** ASCII string -> bytes. */
function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** Bytes -> ASCII string, so ring contents read like "de...abc" ('.' = untouched slot). */
function text(buf: Uint8Array): string {
  return Array.from(buf, (b) => String.fromCharCode(b)).join('');
}

/** A ring whose buffer holds `contents` (one character per slot; its length is the size). */
function ring(contents: string, head: number, tail: number) {
  return { buf: bytes(contents), head, tail };
}

describe('circSpaceToEnd (CIRC_SPACE_TO_END)', () => {
  it('is size - 1 for an empty ring with head and tail at 0', () => {
    expect(circSpaceToEnd(0, 0, 8), 'circSpaceToEnd(0, 0, 8)').toBe(7);
  });

  it('stops at the end of the array when the free space wraps around', () => {
    expect(circSpaceToEnd(5, 5, 8), 'circSpaceToEnd(5, 5, 8): slots 5, 6, 7').toBe(3);
    expect(circSpaceToEnd(6, 2, 8), 'circSpaceToEnd(6, 2, 8): slots 6, 7').toBe(2);
  });

  it('stops one slot before tail when tail is ahead of head', () => {
    expect(circSpaceToEnd(2, 6, 8), 'circSpaceToEnd(2, 6, 8): slots 2, 3, 4 (5 stays empty)').toBe(3);
  });

  it('keeps the last slot of the array empty when tail is 0', () => {
    expect(circSpaceToEnd(6, 0, 8), 'circSpaceToEnd(6, 0, 8): slot 6 only (7 stays empty)').toBe(1);
    expect(circSpaceToEnd(3, 0, 8), 'circSpaceToEnd(3, 0, 8): slots 3 to 6').toBe(4);
  });

  it('counts the last slot as free when head is there and tail is not 0', () => {
    expect(circSpaceToEnd(7, 3, 8), 'circSpaceToEnd(7, 3, 8): slot 7').toBe(1);
  });

  it('returns 0 when the ring is full', () => {
    expect(circSpaceToEnd(4, 5, 8), 'circSpaceToEnd(4, 5, 8)').toBe(0);
    expect(circSpaceToEnd(7, 0, 8), 'circSpaceToEnd(7, 0, 8)').toBe(0);
    expect(circSpaceToEnd(0, 1, 8), 'circSpaceToEnd(0, 1, 8)').toBe(0);
  });

  it('works for a page-sized ring of 4096 bytes', () => {
    expect(circSpaceToEnd(0, 0, 4096), 'circSpaceToEnd(0, 0, 4096)').toBe(4095);
    expect(circSpaceToEnd(4000, 100, 4096), 'circSpaceToEnd(4000, 100, 4096)').toBe(96);
    expect(circSpaceToEnd(100, 4000, 4096), 'circSpaceToEnd(100, 4000, 4096)').toBe(3899);
  });

  it('agrees with a slot-by-slot count for every head and tail of an 8-byte ring', () => {
    const size = 8;
    const wrong: string[] = [];
    for (let head = 0; head < size; head++) {
      for (let tail = 0; tail < size; tail++) {
        // Walk forward from head: slot p can be filled if it is inside the array and
        // filling it would not make the new head equal tail (which would mean "empty").
        let expected = 0;
        while (head + expected < size && ((head + expected + 1) & (size - 1)) !== tail) expected++;
        const got = circSpaceToEnd(head, tail, size);
        if (got !== expected) wrong.push(`circSpaceToEnd(${head}, ${tail}, 8): expected ${expected}, got ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('uartWrite (uart_write before v6.10)', () => {
  it('copies into an empty ring and advances head', () => {
    const circ = ring('........', 0, 0);
    expect(uartWrite(circ, bytes('abc')), 'bytes accepted').toBe(3);
    expect(text(circ.buf), 'ring contents').toBe('abc.....');
    expect(circ.head, 'head').toBe(3);
    expect(circ.tail, 'tail must not change').toBe(0);
  });

  it('writes at head even when an empty ring has head and tail at 5, not at 0', () => {
    const circ = ring('........', 5, 5);
    expect(uartWrite(circ, bytes('ab')), 'bytes accepted').toBe(2);
    expect(text(circ.buf), 'ring contents').toBe('.....ab.');
    expect(circ.head, 'head').toBe(7);
    expect(circ.tail, 'tail must not change').toBe(5);
  });

  it('accepts at most size - 1 bytes into an empty ring', () => {
    const circ = ring('........', 0, 0);
    expect(uartWrite(circ, bytes('abcdefghij')), 'bytes accepted from 10 into an empty 8-byte ring').toBe(7);
    expect(text(circ.buf), 'ring contents').toBe('abcdefg.');
    expect(circ.head, 'head').toBe(7);
    expect(circ.tail, 'tail must not change').toBe(0);
  });

  it('wraps around the end of the array', () => {
    const circ = ring('........', 5, 5);
    expect(uartWrite(circ, bytes('abcde')), 'bytes accepted').toBe(5);
    expect(text(circ.buf), 'ring contents: abc in slots 5-7, de in slots 0-1').toBe('de...abc');
    expect(circ.head, 'head after the wrap').toBe(2);
    expect(circ.tail, 'tail must not change').toBe(5);
  });

  it('sets head to 0 when a write ends exactly at the end of the array', () => {
    const circ = ring('........', 4, 1);
    expect(uartWrite(circ, bytes('wxyz')), 'bytes accepted').toBe(4);
    expect(text(circ.buf), 'ring contents').toBe('....wxyz');
    expect(circ.head, 'head must wrap to 0, not become 8').toBe(0);
    expect(circ.tail, 'tail must not change').toBe(1);
  });

  it('returns a partial count when the data does not fit, across the wrap', () => {
    // head 6, tail 3: free slots are 6, 7, 0, 1 (slot 2 stays empty).
    const circ = ring('........', 6, 3);
    expect(uartWrite(circ, bytes('abcdef')), 'bytes accepted').toBe(4);
    expect(text(circ.buf), 'ring contents').toBe('cd....ab');
    expect(circ.head, 'head').toBe(2);
    expect(circ.tail, 'tail must not change').toBe(3);
  });

  it('returns 0 and changes nothing when the ring is full', () => {
    const circ = ring('ABCD.EFG', 4, 5);
    expect(uartWrite(circ, bytes('xy')), 'bytes accepted by a full ring').toBe(0);
    expect(text(circ.buf), 'ring contents').toBe('ABCD.EFG');
    expect(circ.head, 'head').toBe(4);
    expect(circ.tail, 'tail').toBe(5);
  });

  it('returns 0 for empty data', () => {
    const circ = ring('........', 2, 2);
    expect(uartWrite(circ, new Uint8Array(0)), 'bytes accepted').toBe(0);
    expect(text(circ.buf), 'ring contents').toBe('........');
    expect(circ.head, 'head').toBe(2);
    expect(circ.tail, 'tail').toBe(2);
  });

  it('fills the ring over several calls, then returns 0', () => {
    const circ = ring('........', 0, 0);
    expect(uartWrite(circ, bytes('abc')), 'first call').toBe(3);
    expect(uartWrite(circ, bytes('defgh')), 'second call: only 4 of 5 fit').toBe(4);
    expect(uartWrite(circ, bytes('x')), 'third call: the ring is full').toBe(0);
    expect(text(circ.buf), 'ring contents').toBe('abcdefg.');
    expect(circ.head, 'head').toBe(7);
    expect(circ.tail, 'tail must not change').toBe(0);
  });

  it('accepts more after the consumer advances tail', () => {
    const circ = ring('abcdefg.', 7, 0); // full
    circ.tail = 4; // the UART sent a, b, c, d
    expect(uartWrite(circ, bytes('WXYZ!')), 'bytes accepted: slots 7, 0, 1, 2').toBe(4);
    expect(text(circ.buf), 'ring contents').toBe('XYZdefgW');
    expect(circ.head, 'head').toBe(3);
    expect(circ.tail, 'tail must not change').toBe(4);
  });

  it('handles a page-sized ring of 4096 bytes', () => {
    const circ = { buf: new Uint8Array(4096), head: 4000, tail: 4000 };
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i % 251) + 1);
    expect(uartWrite(circ, data), 'bytes accepted from 5000 into an empty 4096-byte ring').toBe(4095);
    expect(circ.head, 'head').toBe(3999);
    expect(circ.tail, 'tail must not change').toBe(4000);
    expect(Array.from(circ.buf.subarray(4000)), 'slots 4000-4095 hold data[0..95]').toEqual(
      Array.from(data.subarray(0, 96)),
    );
    expect(Array.from(circ.buf.subarray(0, 3999)), 'slots 0-3998 hold data[96..4094]').toEqual(
      Array.from(data.subarray(96, 4095)),
    );
    expect(circ.buf[3999], 'slot 3999, the one kept empty').toBe(0);
  });
});
