import { DMA_FROM_DEVICE } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

/**
 * Receives one packet of `len` bytes into the driver's buffer at `buf` and returns the bytes the
 * CPU read, or null when the buffer could not be mapped.
 */
export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  // 1. Map the buffer for the device to write into (k.dma_map_single) and check the handle
  //    with k.dma_mapping_error.
  // 2. Start the device on the handle (k.startDeviceReceive) and wait for it (k.waitForDevice).
  // 3. Give the buffer back to the CPU, read it (k.readBuffer), and end the mapping.
  void DMA_FROM_DEVICE;
  void k;
  void buf;
  void len;
  return null;
}
