// Mistake: never calls dma_sync_single_for_cpu: fine on x86, where DMA is coherent, but on a non-coherent machine user space reads stale data.
import type { HwSnapshot, IrqOp } from '@sims/daq';

/** The interrupt handler of the DMA ring: what to do, in order, when the completion MSI arrives. */
export function handleCompletion(hw: HwSnapshot): IrqOp[] {
  const ops: IrqOp[] = [];
  let p = hw.produced;
  // Every buffer completed since the last run: interrupts coalesce, so there may be several.
  while (p !== hw.completed) {
    p = (p + 1) % 2 ** 32;
  }
  if (p !== hw.produced) ops.push({ op: 'publish', produced: p });
  ops.push({ op: 'wake' });
  return ops;
}
