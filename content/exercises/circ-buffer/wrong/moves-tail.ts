// Mistake: the producer moves tail: it rewinds an empty ring to head = tail = 0 to get a longer contiguous run, but tail belongs to the consumer (the UART), which is reading at the old tail.
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  const end = size - 1 - head;
  const n = (end + tail) & (size - 1);
  return n <= end ? n : end + 1;
}

export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  const size = circ.buf.length;
  if (circ.head === circ.tail) {
    circ.head = 0;
    circ.tail = 0;
  }
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
