/**
 * CIRC_SPACE_TO_END(head, tail, size) from include/linux/circ_buf.h: the number of free
 * bytes that can be written contiguously starting at `head`.
 *
 * The run ends at the end of the array or at the slot just before `tail`, whichever comes
 * first. That slot always stays empty, because head == tail means "empty".
 * `size` is a power of two and 0 <= head, tail < size.
 */
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  // Same arithmetic as the kernel macro:
  //   end + 1 = slots from head to the last index of the array;
  //   n       = (tail - head - 1) mod size, the total free space (CIRC_SPACE).
  // If n <= end, the free space runs out before the end of the array, so the answer is n.
  // Otherwise the array ends first, and all end + 1 slots up to the last index are free.
  const end = size - 1 - head;
  const n = (end + tail) & (size - 1);
  return n <= end ? n : end + 1;
}

/**
 * uart_write() as it was before v6.10 (drivers/tty/serial/serial_core.c):
 *
 *   while (1) {
 *     c = CIRC_SPACE_TO_END(circ->head, circ->tail, UART_XMIT_SIZE);
 *     if (count < c) c = count;
 *     if (c <= 0) break;
 *     memcpy(circ->buf + circ->head, buf, c);
 *     circ->head = (circ->head + c) & (UART_XMIT_SIZE - 1);
 *     buf += c; count -= c; ret += c;
 *   }
 *
 * It copies as much as fits, in at most two contiguous pieces (before and after the wrap),
 * and returns the count accepted. Only the producer's `head` moves; `tail` belongs to the
 * consumer (the UART's interrupt handler).
 */
export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  const size = circ.buf.length;
  let done = 0;
  for (;;) {
    const c = Math.min(circSpaceToEnd(circ.head, circ.tail, size), data.length - done);
    if (c <= 0) break;
    circ.buf.set(data.subarray(done, done + c), circ.head); // memcpy
    circ.head = (circ.head + c) & (size - 1); // wraps to 0 at the end of the array
    done += c;
  }
  return done;
}
