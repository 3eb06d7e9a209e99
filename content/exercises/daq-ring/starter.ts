/** The control words of a ring of `n` DMA buffers shared by a driver and user space. */
export interface RingCtl {
  /** Buffers the device has filled since the ring started: a free-running u32 (after 2**32 - 1 it wraps to 0). Only the driver writes it. */
  produced: number;
  /** Buffers user space has finished with since the ring started: a free-running u32. Only user space writes it. */
  consumed: number;
  /** Buffers in the ring: a power of two from 1 to 65536. Buffer k of the stream lives in slot k mod n. */
  n: number;
}

/** Slots (0..n-1) of the buffers ready for user space, oldest first. */
export function readyBuffers(ctl: RingCtl): number[] {
  throw new Error('not implemented');
}

/** Hands `count` buffers back to the device: a new RingCtl with `consumed` advanced by `count` (mod 2**32); `ctl` itself is not changed. */
export function release(ctl: RingCtl, count: number): RingCtl {
  throw new Error('not implemented');
}

/** The slot the device may fill next, or null when all n buffers are waiting for user space (the ring is full: the device must not overwrite one). */
export function nextFillSlot(ctl: RingCtl): number | null {
  throw new Error('not implemented');
}
