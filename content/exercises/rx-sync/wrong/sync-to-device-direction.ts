// Mistake: syncs for the CPU with DMA_TO_DEVICE instead of the mapping'\''s DMA_FROM_DEVICE: dma-debug reports the direction, arm64 skips the invalidate, and swiotlb copies nothing back.
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_BIDIRECTIONAL } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

void DMA_TO_DEVICE;
void DMA_BIDIRECTIONAL;

export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(handle)) return null;
  k.startDeviceReceive(handle, len);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(handle, len, DMA_TO_DEVICE);
  const data = k.readBuffer(buf, len);
  k.dma_unmap_single(handle, len, DMA_FROM_DEVICE);
  return data;
}
