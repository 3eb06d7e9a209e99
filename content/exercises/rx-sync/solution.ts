import { DMA_FROM_DEVICE } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

/**
 * Receives one packet of `len` bytes into the driver's buffer at `buf` and returns the bytes the
 * CPU read, or null when the buffer could not be mapped.
 */
export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  // Hand the buffer to the device. On a non-coherent CPU this does the cache work for the
  // device; with swiotlb the handle is a bounce slot, not buf.
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(handle)) return null;

  // The device writes through the handle (a bus address), never through buf.
  k.startDeviceReceive(handle, len);
  k.waitForDevice();

  // Take the buffer back before the CPU looks at it: invalidate stale lines, copy the bounce
  // slot back. Same handle, size and direction as the map.
  k.dma_sync_single_for_cpu(handle, len, DMA_FROM_DEVICE);
  const data = k.readBuffer(buf, len);

  // Done with the mapping: same handle, size and direction again.
  k.dma_unmap_single(handle, len, DMA_FROM_DEVICE);
  return data;
}
