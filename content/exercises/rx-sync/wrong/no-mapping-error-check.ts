// Mistake: never calls dma_mapping_error: dma-debug flags the unchecked handle at unmap, and a failed map (swiotlb pool full) starts the device on DMA_MAPPING_ERROR.
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_BIDIRECTIONAL } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

void DMA_TO_DEVICE;
void DMA_BIDIRECTIONAL;

export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  k.startDeviceReceive(handle, len);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(handle, len, DMA_FROM_DEVICE);
  const data = k.readBuffer(buf, len);
  k.dma_unmap_single(handle, len, DMA_FROM_DEVICE);
  return data;
}
