// Mistake: publishes produced before syncing the buffers for the CPU: user space can read a buffer between the publish and the sync and see stale cache lines.
import type { HwSnapshot, IrqOp } from '@sims/daq';

/** The interrupt handler of the DMA ring: what to do, in order, when the completion MSI arrives. */
export function handleCompletion(hw: HwSnapshot): IrqOp[] {
  const ops: IrqOp[] = [];
  if (hw.completed !== hw.produced) ops.push({ op: 'publish', produced: hw.completed });
  let p = hw.produced;
  // Every buffer completed since the last run: interrupts coalesce, so there may be several.
  while (p !== hw.completed) {
    if (!hw.coherent) ops.push({ op: 'sync', slot: p % hw.n });
    p = (p + 1) % 2 ** 32;
  }
  if (p !== hw.produced) ops.push({ op: 'publish', produced: p });
  ops.push({ op: 'wake' });
  return ops;
}
