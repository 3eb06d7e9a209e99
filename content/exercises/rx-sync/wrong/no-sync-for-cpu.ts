// Mistake: reads the packet without dma_sync_single_for_cpu, while the device still owns the buffer: a line the arm64 core filled speculatively during the DMA is read stale, and with swiotlb the bounce slot is never copied back (it only "works" on x86).
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, DMA_BIDIRECTIONAL } from '@sims/dma';
import type { DmaSession } from '@sims/dma';

void DMA_TO_DEVICE;
void DMA_BIDIRECTIONAL;

export function receivePacket(k: DmaSession, buf: number, len: number): number[] | null {
  const handle = k.dma_map_single(buf, len, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(handle)) return null;
  k.startDeviceReceive(handle, len);
  k.waitForDevice();
  const data = k.readBuffer(buf, len);
  k.dma_unmap_single(handle, len, DMA_FROM_DEVICE);
  return data;
}
