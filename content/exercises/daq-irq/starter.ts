import type { HwSnapshot, IrqOp } from '@sims/daq';

/** The interrupt handler of the DMA ring: what to do, in order, when the completion MSI arrives. */
export function handleCompletion(hw: HwSnapshot): IrqOp[] {
  // One interrupt per buffer... or is it?
  return [{ op: 'publish', produced: (hw.produced + 1) % 2 ** 32 }, { op: 'wake' }];
}
