// Mistake: copies only one contiguous run (up to the end of the array) instead of looping, so a write that should wrap stops at the last index.
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  const end = size - 1 - head;
  const n = (end + tail) & (size - 1);
  return n <= end ? n : end + 1;
}

export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  const size = circ.buf.length;
  const c = Math.min(circSpaceToEnd(circ.head, circ.tail, size), data.length);
  if (c <= 0) return 0;
  circ.buf.set(data.subarray(0, c), circ.head);
  circ.head = (circ.head + c) & (size - 1);
  return c;
}
