// Mistake: syncs and reads but never unmaps: the mapping leaks, which dma-debug reports when the driver is unbound.
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_BIDIRECTIONAL } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

void DMA_TO_DEVICE;
void DMA_BIDIRECTIONAL;

export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(handle)) return null;
  k.startDeviceReceive(handle, len);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(handle, len, DMA_FROM_DEVICE);
  return k.readBuffer(buf, len);
}
