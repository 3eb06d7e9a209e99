/**
 * CIRC_SPACE_TO_END(head, tail, size): free bytes writable contiguously from `head`
 * (stop at the end of the array or at the slot that must stay empty before `tail`).
 * `size` is a power of two; 0 <= head, tail < size.
 */
export function circSpaceToEnd(head: number, tail: number, size: number): number {
  throw new Error('not implemented');
}

/**
 * uart_write before v6.10: copy as much of `data` as fits into the ring at `circ.head`
 * (wrapping, at most size - 1 bytes held), advance `circ.head`, leave `circ.tail` alone,
 * and return the number of bytes accepted (0 when the ring is full).
 */
export function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): number {
  throw new Error('not implemented');
}
