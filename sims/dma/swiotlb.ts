/**
 * The swiotlb bounce pool (kernel/dma/swiotlb.c, 6.12), reduced to its bookkeeping: slots of
 * one cache line each (IO_TLB_SIZE is 2 KiB in the kernel), first-fit allocation of the
 * contiguous slots a mapping needs, and the `orig_addr` / `alloc_size` each slot records so that
 * a sync or unmap knows where to copy back. The copies themselves (`swiotlb_bounce`) are CPU
 * memcpys and live in the model (`./coherence.ts`), which runs them through the cache.
 *
 * Simplified: one pool, one area, no `min_align_mask` / alignment offsets (the bounce copy
 * starts at its first slot), first fit from the bottom (the kernel searches from a rotating
 * index per area), no dynamic pools.
 */
import type { Region, SwiotlbState } from './coherence-types.ts';

/** An empty pool over `region` with slots of `slotSize` bytes. */
export function swiotlbInit(region: Region, slotSize: number): SwiotlbState {
  const n = Math.floor(region.size / slotSize);
  return { base: region.addr, slotSize, slots: Array.from({ length: n }, () => ({ orig_addr: null, alloc_size: 0 })) };
}

/** `is_swiotlb_buffer(dev, paddr)`: `addr` lies in the pool. */
export function isSwiotlbBuffer(sw: SwiotlbState | null, addr: number): boolean {
  return !!sw && addr >= sw.base && addr < sw.base + sw.slots.length * sw.slotSize;
}

/**
 * `swiotlb_tbl_map_single`'s slot search and bookkeeping: the first run of free slots that
 * holds `size` bytes gets `orig_addr` (slot `i` records `orig + i * slotSize`) and `alloc_size`
 * (bytes from that slot to the end of the mapping). Returns the new pool and the bounce address
 * (`tlb_addr`), or null when the pool is full ("swiotlb buffer is full").
 */
export function swiotlbAlloc(sw: SwiotlbState, orig: number, size: number): { sw: SwiotlbState; tlb_addr: number } | null {
  const need = Math.ceil(size / sw.slotSize);
  for (let i = 0; i + need <= sw.slots.length; i++) {
    let free = true;
    for (let k = 0; k < need; k++) if (sw.slots[i + k].orig_addr !== null) free = false;
    if (!free) continue;
    const slots = sw.slots.slice();
    for (let k = 0; k < need; k++) slots[i + k] = { orig_addr: orig + k * sw.slotSize, alloc_size: size - k * sw.slotSize };
    return { sw: { ...sw, slots }, tlb_addr: sw.base + i * sw.slotSize };
  }
  return null;
}

/** Where bounce address `tlb_addr` copies to: the original address of that byte and the bytes
 *  left in its mapping (`swiotlb_bounce`'s `orig_addr + tlb_offset`, `alloc_size - tlb_offset`);
 *  null for a free slot (`INVALID_PHYS_ADDR`: the kernel's bounce then does nothing). */
export function swiotlbOrig(sw: SwiotlbState, tlb_addr: number): { orig: number; left: number } | null {
  const i = Math.floor((tlb_addr - sw.base) / sw.slotSize);
  const s = sw.slots[i];
  if (!s || s.orig_addr === null) return null;
  const off = (tlb_addr - sw.base) % sw.slotSize;
  return { orig: s.orig_addr + off, left: s.alloc_size - off };
}

/** `swiotlb_release_slots`: frees the slots of the mapping that starts at `tlb_addr`. */
export function swiotlbRelease(sw: SwiotlbState, tlb_addr: number): SwiotlbState {
  const i = Math.floor((tlb_addr - sw.base) / sw.slotSize);
  const s = sw.slots[i];
  if (!s || s.orig_addr === null) return sw;
  const n = Math.ceil(s.alloc_size / sw.slotSize);
  const slots = sw.slots.slice();
  for (let k = 0; k < n && i + k < slots.length; k++) slots[i + k] = { orig_addr: null, alloc_size: 0 };
  return { ...sw, slots };
}
