// Mistake: forgets that one slot must stay empty, so the ring can fill all size bytes and a full ring (head == tail) looks empty.
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  return tail > head ? tail - head : size - head;
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
