// Mistake: reads the buffer right after starting the device, before waiting for its interrupt: the packet is not there yet.
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_BIDIRECTIONAL } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

void DMA_TO_DEVICE;
void DMA_BIDIRECTIONAL;

export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(handle)) return null;
  k.startDeviceReceive(handle, len);
  k.dma_sync_single_for_cpu(handle, len, DMA_FROM_DEVICE);
  const data = k.readBuffer(buf, len);
  k.waitForDevice();
  k.dma_unmap_single(handle, len, DMA_FROM_DEVICE);
  return data;
}
