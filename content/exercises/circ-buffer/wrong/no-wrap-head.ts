// Mistake: advances head without masking it with (size - 1), so head reaches size instead of wrapping to 0.
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  const end = size - 1 - head;
  const n = (end + tail) & (size - 1);
  return n <= end ? n : end + 1;
}

export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  const size = circ.buf.length;
  let done = 0;
  for (;;) {
    const c = Math.min(circSpaceToEnd(circ.head, circ.tail, size), data.length - done);
    if (c <= 0) break;
    circ.buf.set(data.subarray(done, done + c), circ.head);
    circ.head = circ.head + c;
    done += c;
  }
  return done;
}
