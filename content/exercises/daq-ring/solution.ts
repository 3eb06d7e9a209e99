/** The control words of a ring of `n` DMA buffers shared by a driver and user space. */
export interface RingCtl {
  /** Buffers the device has filled since the ring started: a free-running u32 (after 2**32 - 1 it wraps to 0). Only the driver writes it. */
  produced: number;
  /** Buffers user space has finished with since the ring started: a free-running u32. Only user space writes it. */
  consumed: number;
  /** Buffers in the ring: a power of two from 1 to 65536. Buffer k of the stream lives in slot k mod n. */
  n: number;
}

const U32 = 2 ** 32;

const isU32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < U32;

/** Buffers pending (produced - consumed mod 2**32) after checking the control words; throws RangeError. */
function pending(ctl: RingCtl): number {
  const { n, produced, consumed } = ctl;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65536 || (n & (n - 1)) !== 0) throw new RangeError(`n must be a power of two from 1 to 65536, got ${n}`);
  if (!isU32(produced)) throw new RangeError(`produced must be an integer from 0 to 2**32 - 1, got ${produced}`);
  if (!isU32(consumed)) throw new RangeError(`consumed must be an integer from 0 to 2**32 - 1, got ${consumed}`);
  const p = (((produced - consumed) % U32) + U32) % U32;
  if (p > n) throw new RangeError(`${p} buffers pending in a ring of ${n}: impossible control words`);
  return p;
}

/** Slots (0..n-1) of the buffers ready for user space, oldest first. */
export function readyBuffers(ctl: RingCtl): number[] {
  const p = pending(ctl);
  const out: number[] = [];
  for (let i = 0; i < p; i++) out.push((ctl.consumed + i) % ctl.n);
  return out;
}

/** Hands `count` buffers back to the device: a new RingCtl with `consumed` advanced by `count` (mod 2**32); `ctl` itself is not changed. */
export function release(ctl: RingCtl, count: number): RingCtl {
  const p = pending(ctl);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > p) throw new RangeError(`count must be an integer from 0 to ${p} (the ready buffers), got ${count}`);
  return { ...ctl, consumed: (ctl.consumed + count) % U32 };
}

/** The slot the device may fill next, or null when all n buffers are waiting for user space (the ring is full: the device must not overwrite one). */
export function nextFillSlot(ctl: RingCtl): number | null {
  const p = pending(ctl);
  return p === ctl.n ? null : ctl.produced % ctl.n;
}
