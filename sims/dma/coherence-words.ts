/**
 * The kernel sources the coherence model's steps cite (Linux 6.12), and its words for
 * addresses, bytes, cache lines and the driver's calls as a driver writes them.
 * Part of the coherence model (`coherence.ts` says what it models and where it departs).
 */
import type { CpuOp } from './coherence-types.ts';
import { DMA_MAPPING_ERROR } from './debug.ts';
import { KERNEL_VERSION } from './model.ts';
import type { KernelSource } from '../core/model.ts';
import { hex } from '../core/text.ts';

export { hex };

/** `-ENOMEM`, what `dma_mapping_error` returns for a failed mapping. */
export const DMA_MAPPING_ENOMEM = -12;

function src(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

export const SRC = {
  mapPage: src('kernel/dma/direct.h', 'dma_direct_map_page'),
  unmapPage: src('kernel/dma/direct.h', 'dma_direct_unmap_page'),
  syncCpu: src('kernel/dma/direct.h', 'dma_direct_sync_single_for_cpu'),
  syncDev: src('kernel/dma/direct.h', 'dma_direct_sync_single_for_device'),
  tblMap: src('kernel/dma/swiotlb.c', 'swiotlb_tbl_map_single'),
  tblUnmap: src('kernel/dma/swiotlb.c', '__swiotlb_tbl_unmap_single'),
  swSyncCpu: src('kernel/dma/swiotlb.c', '__swiotlb_sync_single_for_cpu'),
  swSyncDev: src('kernel/dma/swiotlb.c', '__swiotlb_sync_single_for_device'),
  mapSg: src('kernel/dma/direct.c', 'dma_direct_map_sg'),
  unmapSg: src('kernel/dma/direct.c', 'dma_direct_unmap_sg'),
  syncSgCpu: src('kernel/dma/direct.c', 'dma_direct_sync_sg_for_cpu'),
  syncSgDev: src('kernel/dma/direct.c', 'dma_direct_sync_sg_for_device'),
  mappingError: src('include/linux/dma-mapping.h', 'dma_mapping_error'),
  alloc: src('kernel/dma/direct.c', 'dma_direct_alloc'),
  free: src('kernel/dma/direct.c', 'dma_direct_free'),
  sgInit: src('lib/scatterlist.c', 'sg_init_table'),
  unbind: src('kernel/dma/debug.c', 'dma_debug_device_change'),
} as const;

// ---------------------------------------------------------------------------------------
// Words


/** "0x40–0x5f" (one byte: "0x40"). */
export function rangeText(addr: number, len: number): string {
  return len <= 1 ? hex(addr) : `${hex(addr)}–${hex(addr + len - 1)}`;
}

/** "01 02 03 04 … 1f 20": bytes as hex, shortened past 8. */
export function bytesText(bytes: readonly number[]): string {
  const h = (b: number) => b.toString(16).padStart(2, '0');
  if (bytes.length <= 8) return bytes.map(h).join(' ');
  return `${bytes.slice(0, 4).map(h).join(' ')} … ${bytes.slice(-2).map(h).join(' ')}`;
}

/** "line 4", "lines 4 and 5", "lines 4–6", "lines 1, 4 and 6". */
export function linesText(ns: readonly number[]): string {
  if (ns.length === 1) return `line ${ns[0]}`;
  if (ns.length === 2) return `lines ${ns[0]} and ${ns[1]}`;
  if (ns.every((n, i) => i === 0 || n === ns[i - 1] + 1)) return `lines ${ns[0]}–${ns[ns.length - 1]}`;
  return `lines ${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;
}

export const isAre = (ns: readonly unknown[]) => (ns.length === 1 ? 'is' : 'are');
export const wasWere = (ns: readonly unknown[]) => (ns.length === 1 ? 'was' : 'were');

/** The call as a driver writes it, e.g. `dma_sync_single_for_cpu(dev, 0x40, 32, DMA_FROM_DEVICE)`. */
export function callText(op: CpuOp): string {
  switch (op.op) {
    case 'dma_map_single':
      return op.skipCpuSync
        ? `dma_map_single_attrs(dev, ${hex(op.cpu_addr)}, ${op.size}, ${op.dir}, DMA_ATTR_SKIP_CPU_SYNC)`
        : `dma_map_single(dev, ${hex(op.cpu_addr)}, ${op.size}, ${op.dir})`;
    case 'dma_mapping_error':
      return `dma_mapping_error(dev, ${handleText(op.handle)})`;
    case 'dma_unmap_single':
      return op.skipCpuSync
        ? `dma_unmap_single_attrs(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir}, DMA_ATTR_SKIP_CPU_SYNC)`
        : `dma_unmap_single(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir})`;
    case 'dma_sync_single_for_cpu':
    case 'dma_sync_single_for_device':
      return `${op.op}(dev, ${handleText(op.handle)}, ${op.size}, ${op.dir})`;
    case 'sg_init_table':
      return `sg_init_table + sg_set_buf × ${op.bufs.length} (${op.bufs.map((b) => rangeText(b.buf, b.len)).join(', ')})`;
    case 'dma_map_sg':
    case 'dma_unmap_sg':
    case 'dma_sync_sg_for_cpu':
    case 'dma_sync_sg_for_device':
      return `${op.op}(dev, sgl${op.sg}, ${op.nents}, ${op.dir})`;
    case 'dma_alloc_coherent':
      return `dma_alloc_coherent(dev, ${op.size}, &dma_handle, GFP_KERNEL)`;
    case 'dma_free_coherent':
      return `dma_free_coherent(dev, ${op.size}, ${hex(op.cpu_addr)}, ${handleText(op.handle)})`;
    case 'read':
      return `readBuffer(${hex(op.addr)}, ${op.len})`;
    case 'write':
      return `writeBuffer(${hex(op.addr)}, [${bytesText(op.bytes)}])`;
    case 'start_device':
      return op.dma === 'write'
        ? `startDeviceWrite(${segsArg(op.segs)}, [${bytesText(op.data ?? [])}])`
        : `startDeviceRead(${segsArg(op.segs)}, ${segsLen(op.segs)})`;
    case 'wait':
      return 'waitForDevice()';
  }
}

export function handleText(h: number): string {
  return h === DMA_MAPPING_ERROR ? 'DMA_MAPPING_ERROR' : hex(h);
}

export const segsLen = (segs: readonly { len: number }[]) => segs.reduce((a, s) => a + s.len, 0);
/** One segment: its address; several: `[{addr, len}, …]` in hex. */
const segsArg = (segs: readonly { addr: number; len: number }[]) =>
  segs.length === 1 ? hex(segs[0].addr) : `[${segs.map((x) => `{${hex(x.addr)}, ${x.len}}`).join(', ')}]`;
export const segsText = (segs: readonly { addr: number; len: number }[]) => segs.map((s) => rangeText(s.addr, s.len)).join(', ');
