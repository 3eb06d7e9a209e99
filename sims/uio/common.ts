/**
 * Limits of the UIO model's parameters, the kernel sources its steps cite (Linux 6.12), and
 * small helpers over its states: bytes, frames, little-endian values, free frame runs.
 * Part of the UIO model (`model.ts` says what it models and where it departs).
 */
import type { Frame, UioState } from './types.ts';
import type { KernelSource } from '../core/model.ts';
import { src } from './constants.ts';

/** Most frames. */
export const MAX_FRAMES = 64;
/** Most pages of A's buffer or of B. */
export const MAX_PROC_PAGES = 8;
/** Most bytes in one delivery. */
export const MAX_DELIVERY_BYTES = 16384;
/** Most chunks in one delivery. */
export const MAX_CHUNKS = 16;
/** Most deliveries. */
export const MAX_DELIVERIES = 16;
/** Largest single load. */
export const MAX_LOAD = 4096;
/** VFIO_PCI_OFFSET_SHIFT (include/linux/vfio_pci_core.h): region index = mmap offset >> 40. */
export const VFIO_PCI_OFFSET_SHIFT = 40;

/** Kernel sources the steps cite. */
export const SRC = {
  uioOpen: src('drivers/uio/uio.c', 'uio_open'),
  uioRelease: src('drivers/uio/uio.c', 'uio_release'),
  uioRead: src('drivers/uio/uio.c', 'uio_read'),
  uioWrite: src('drivers/uio/uio.c', 'uio_write'),
  uioPoll: src('drivers/uio/uio.c', 'uio_poll'),
  uioMmap: src('drivers/uio/uio.c', 'uio_mmap'),
  uioFindMemIndex: src('drivers/uio/uio.c', 'uio_find_mem_index'),
  uioMmapPhysical: src('drivers/uio/uio.c', 'uio_mmap_physical'),
  uioMmapLogical: src('drivers/uio/uio.c', 'uio_mmap_logical'),
  uioMmapDmaCoherent: src('drivers/uio/uio.c', 'uio_mmap_dma_coherent'),
  uioEventNotify: src('drivers/uio/uio.c', 'uio_event_notify'),
  mapAddrShow: src('drivers/uio/uio.c', 'map_addr_show'),
  eventShow: src('drivers/uio/uio.c', 'event_show'),
  dmemOpen: src('drivers/uio/uio_dmem_genirq.c', 'uio_dmem_genirq_open'),
  dmemRelease: src('drivers/uio/uio_dmem_genirq.c', 'uio_dmem_genirq_release'),
  dmemIrqcontrol: src('drivers/uio/uio_dmem_genirq.c', 'uio_dmem_genirq_irqcontrol'),
  pdrvIrqcontrol: src('drivers/uio/uio_pdrv_genirq.c', 'uio_pdrv_genirq_irqcontrol'),
  handleEdgeIrq: src('kernel/irq/chip.c', 'handle_edge_irq'),
  sysMmap: src('arch/x86/kernel/sys_x86_64.c', 'mmap'),
  doMmap: src('mm/mmap.c', 'do_mmap'),
  vfioCdevOpen: src('drivers/vfio/device_cdev.c', 'vfio_device_fops_cdev_open'),
  vfioPciMmap: src('drivers/vfio/pci/vfio_pci_core.c', 'vfio_pci_core_mmap'),
  vfioDmaDoMap: src('drivers/vfio/vfio_iommu_type1.c', 'vfio_dma_do_map'),
  dmarFault: src('drivers/iommu/intel/dmar.c', 'dmar_fault'),
  allocFd: src('fs/file.c', 'alloc_fd'),
  doAnonymousPage: src('mm/memory.c', 'do_anonymous_page'),
} satisfies Record<string, KernelSource>;

// ---------------------------------------------------------------------------------------
// Small helpers.

export const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

/** The bytes of an ASCII string or a byte array; RangeError for non-bytes. */
export function toBytes(data: string | readonly number[] | Uint8Array, where = 'data'): number[] {
  if (typeof data === 'string') {
    const out: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (c > 255) throw new RangeError(`${where}: character ${i} (${JSON.stringify(data[i])}) is not a byte (char codes 0..255 only)`);
      out.push(c);
    }
    return out;
  }
  if (data instanceof Uint8Array) return Array.from(data);
  if (!Array.isArray(data)) throw new RangeError(`${where} must be a string or an array of bytes`);
  return data.map((b, i) => {
    if (!isInt(b) || b < 0 || b > 255) throw new RangeError(`${where}[${i}] must be a byte (an integer 0..255), got ${String(b)}`);
    return b;
  });
}

/** Bytes as text for narration and views: printable ASCII kept, others '.', trailing zeros dropped, at most `max` characters. */
export function bytesText(bytes: readonly number[], max = 40): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  let t = '';
  for (let i = 0; i < Math.min(end, max); i++) t += bytes[i] >= 32 && bytes[i] < 127 ? String.fromCharCode(bytes[i]) : '.';
  return end > max ? t + '…' : t;
}

export const sizeText = (n: number): string => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

export function pfnsText(pfns: readonly number[]): string {
  if (pfns.length === 0) return 'no frames';
  if (pfns.length === 1) return `pfn ${pfns[0]}`;
  const contiguous = pfns.every((p, i) => i === 0 || p === pfns[i - 1] + 1);
  return contiguous ? `pfns ${pfns[0]}-${pfns[pfns.length - 1]}` : `pfns ${pfns.join(', ')}`;
}

export function deepClone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A mutable copy to build the next state from: frames are copied shallowly (their `bytes` arrays are replaced, never mutated). */
export function draft(s: UioState): UioState {
  const { params, frames, ...rest } = s;
  return { params, frames: frames.map((f) => ({ ...f })), ...deepClone(rest) };
}

export function readFrame(f: Frame, offset: number, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(f.bytes[offset + i] ?? 0);
  return out;
}

export function writeFrame(f: Frame, offset: number, data: readonly number[]): void {
  const bytes = f.bytes.slice();
  while (bytes.length < offset) bytes.push(0);
  for (let i = 0; i < data.length; i++) bytes[offset + i] = data[i];
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  f.bytes = bytes.slice(0, end);
}

/** Little-endian value of `bytes` (at most 6 bytes, so it stays exact). */
export function leValue(bytes: readonly number[]): number {
  let v = 0;
  for (let i = Math.min(bytes.length, 6) - 1; i >= 0; i--) v = v * 256 + bytes[i];
  return v;
}

export function leBytes(value: number, width: number): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < width; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

/** Lowest run of `n` free contiguous frames, or null. */
export function findFreeRun(frames: readonly Frame[], n: number): number | null {
  for (let start = 0; start + n <= frames.length; start++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = frames[start + i].owner === 'free';
    if (ok) return start;
  }
  return null;
}
