// Mistake: counts with p < completed and p + 1 without the mod: across 2**32 the loop stops at once (or produced becomes 2**32, not a u32).
import type { HwSnapshot, IrqOp } from '@sims/daq';

/** The interrupt handler of the DMA ring: what to do, in order, when the completion MSI arrives. */
export function handleCompletion(hw: HwSnapshot): IrqOp[] {
  const ops: IrqOp[] = [];
  let p = hw.produced;
  // Every buffer completed since the last run: interrupts coalesce, so there may be several.
  while (p < hw.completed) {
    if (!hw.coherent) ops.push({ op: 'sync', slot: p % hw.n });
    p = (p + 1) % 2 ** 32;
  }
  if (p !== hw.produced) ops.push({ op: 'publish', produced: p });
  ops.push({ op: 'wake' });
  return ops;
}
