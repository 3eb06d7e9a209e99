import { describe, it, expect } from 'vitest';
import { findInterleaving } from '@submission';

/** ASCII string -> bytes. */
function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** One write() call by `writer` of the ASCII string `data`, returning `returned` (default: all of it). */
function w(writer: number, data: string, returned: number = data.length) {
  return { writer, data: bytes(data), returned };
}

type Write = ReturnType<typeof w>;

/** Runs the check on an ASCII stream, with the stream in the assertion message. */
function expectVerdict(stream: string, writes: Write[], expected: { ok: true } | { ok: false; offset: number }) {
  const label = `stream ${JSON.stringify(stream)}, writes ${writes
    .map((x) => `${x.writer}:${JSON.stringify(String.fromCharCode(...x.data))}->${x.returned}`)
    .join(' ')}`;
  expect(findInterleaving(bytes(stream), writes), label).toEqual(expected);
}

const OK = { ok: true } as const;
const failAt = (offset: number) => ({ ok: false, offset }) as const;

// Writer 0 writes lowercase letters, writer 1 uppercase, writer 2 digits.

describe('findInterleaving: streams that are fine', () => {
  it('accepts a single write received whole', () => {
    expectVerdict('hello', [w(0, 'hello')], OK);
  });

  it('accepts two writers whose writes arrive one after the other, in either order', () => {
    const writes = [w(0, 'abc'), w(1, 'XYZ')];
    expectVerdict('abcXYZ', writes, OK);
    expectVerdict('XYZabc', writes, OK);
  });

  it("accepts another writer's write between two writes of the same writer", () => {
    expectVerdict('abXYcd', [w(0, 'ab'), w(0, 'cd'), w(1, 'XY')], OK);
  });

  it('accepts a partial write and its retry with another writer in between', () => {
    // Writer 0 wrote "abcdefgh" non-blocking, got 5, and later wrote the remaining "fgh".
    expectVerdict('abcdeXYZfgh', [w(0, 'abcdefgh', 5), w(0, 'fgh'), w(1, 'XYZ')], OK);
  });

  it('accepts three writers whose writes are listed in a different order from the stream', () => {
    expectVerdict('abXY12cd34', [w(2, '12'), w(0, 'ab'), w(1, 'XY'), w(0, 'cd'), w(2, '34')], OK);
  });

  it('accepts an empty stream when nothing was written', () => {
    expectVerdict('', [], OK);
    expectVerdict('', [w(0, 'abc', -11), w(1, 'XY', 0)], OK);
  });
});

describe('findInterleaving: the returned count', () => {
  it('counts only the first `returned` bytes of a write', () => {
    const writes = [w(0, 'abcdef', 3), w(1, 'XY')];
    expectVerdict('abcXY', writes, OK);
    expectVerdict('abcdefXY', writes, failAt(3));
  });

  it('skips a write that failed with a negative return (nothing written)', () => {
    // -4 is -EINTR, -11 is -EAGAIN.
    expectVerdict('abcdef', [w(0, 'abcdef', -4), w(0, 'abcdef')], OK);
    expectVerdict('XY', [w(1, 'XYXYXYXYXYXYXYXY', -11), w(1, 'XY')], OK);
  });

  it('fails at 0 when the bytes of a failed write show up in the stream', () => {
    expectVerdict('ab', [w(0, 'abcdef', -4)], failAt(0));
  });

  it('skips writes that returned 0', () => {
    expectVerdict('abc', [w(0, 'abc', 0), w(0, 'abc'), w(1, 'XY', 0)], OK);
  });
});

describe('findInterleaving: streams that are wrong', () => {
  it('reports the first foreign byte when another writer cuts into a write', () => {
    expectVerdict('abXYZWcd', [w(0, 'abcd'), w(1, 'XYZW')], failAt(2));
  });

  it("fails when a writer's writes arrive in the wrong order", () => {
    expectVerdict('cdab', [w(0, 'ab'), w(0, 'cd')], failAt(0));
    expectVerdict('ab34XY12cd', [w(2, '12'), w(0, 'ab'), w(1, 'XY'), w(0, 'cd'), w(2, '34')], failAt(2));
  });

  it('fails when the retry of a partial write arrives before the partial write', () => {
    expectVerdict('fghXYZabcde', [w(0, 'abcdefgh', 5), w(0, 'fgh'), w(1, 'XYZ')], failAt(0));
  });

  it('checks the bytes of a write, not just which writer they belong to', () => {
    expectVerdict('acb', [w(0, 'abc')], failAt(1));
    expectVerdict('xyxzyz', [w(0, 'xyz'), w(0, 'xyz')], failAt(2));
  });

  it('fails at a byte that no writer wrote', () => {
    const writes = [w(0, 'ab'), w(1, 'XY')];
    expectVerdict('ab\nXY', writes, failAt(2));
    expectVerdict('a\nbXY', writes, failAt(1));
  });

  it("fails at extra bytes after a writer's writes are used up", () => {
    expectVerdict('abab', [w(0, 'ab')], failAt(2));
    expectVerdict('abXYa', [w(0, 'ab'), w(1, 'XY')], failAt(4));
  });

  it('fails at stream.length when the stream ends in the middle of a write', () => {
    expectVerdict('ab', [w(0, 'abcd')], failAt(2));
    expectVerdict('abcdXY', [w(0, 'abcd'), w(1, 'XYZ')], failAt(6));
  });

  it('fails at stream.length when a whole write never arrived', () => {
    expectVerdict('ab', [w(0, 'ab'), w(1, 'XY')], failAt(2));
    expectVerdict('ab', [w(0, 'ab'), w(0, 'cd')], failAt(2));
  });

  it('fails at 0 for an empty stream when something was written', () => {
    expectVerdict('', [w(0, 'a')], failAt(0));
  });
});
