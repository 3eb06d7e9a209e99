// Mistake: circSpaceToEnd returns CIRC_SPACE (all free bytes, counting the wrap) instead of the free bytes up to the end of the array, so the copy runs past the last index.
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  return (tail - head - 1) & (size - 1);
}

export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  const size = circ.buf.length;
  let done = 0;
  for (;;) {
    const c = Math.min(circSpaceToEnd(circ.head, circ.tail, size), data.length - done);
    if (c <= 0) break;
    circ.buf.set(data.subarray(done, done + c), circ.head);
    circ.head = (circ.head + c) & (size - 1);
    done += c;
  }
  return done;
}
