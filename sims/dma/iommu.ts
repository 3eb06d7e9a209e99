/**
 * The IOMMU side of the DMA API in Linux 6.12: the IOVA allocator, the IOMMU page table of the
 * device's DMA domain, and the three passes of `iommu_dma_map_sg` (drivers/iommu/dma-iommu.c):
 * lay the entries out in IOVA granules and allocate one range, map them (`iommu_map_sg`),
 * then `__finalise_sg`, which restores each entry and merges entries that are contiguous in
 * IOVA space into DMA segments. Also `iommu_dma_unmap_sg`. Pure functions on plain data.
 *
 * Simplifications (each also noted where it applies):
 * 1. The allocator hands out the lowest free, naturally aligned range at or above `iovaBase`.
 *    The kernel's `alloc_iova_fast` searches top-down from the device's DMA limit (32-bit
 *    addresses first for PCI devices), keeps per-CPU caches of freed ranges (rcaches), and
 *    rounds small sizes up to a power of two. Natural alignment (`size_aligned`, to
 *    `roundup_pow_of_two(granules)`) is kept, because `iommu_dma_map_sg`'s segment-boundary
 *    padding relies on it.
 * 2. `iommu_map_sg` maps each entry as its own run; the kernel coalesces physically
 *    contiguous entries into one `__iommu_map` call. The translations are the same.
 * 3. No swiotlb path (`dev_use_sg_swiotlb`), no PCI peer-to-peer bus addresses, no
 *    `-EOVERFLOW` checks, no flush queue (IOTLB invalidation is immediate).
 */
import { sgPhys } from './sg.ts';
import type { FinaliseCursor, FinaliseDecision, IommuMapping, IommuParams, IommuState, IovaLayout, IovaRange, SgEntry } from './types.ts';

/** IOVAs stay below 2^48 (a 48-bit IOMMU address width). */
export const IOVA_LIMIT = 2 ** 48;

/** `roundup_pow_of_two(n)` for n >= 1. */
export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** An empty IOMMU from its parameters (no allocations, no mappings). */
export function iommuInit(p: IommuParams): IommuState {
  return { enabled: p.enabled, iovaBase: p.iovaBase, granule: p.granule, allocations: [], mappings: [] };
}

/**
 * Allocates `size` bytes of IOVA space (a multiple of the granule, > 0), aligned to
 * `granule * roundup_pow_of_two(size / granule)` like `alloc_iova(..., size_aligned = true)`.
 * Returns the new IOMMU state and the range, or `null` when no range fits below `IOVA_LIMIT`
 * (the kernel returns 0 and `iommu_dma_map_sg` fails with -ENOMEM).
 * Departure: lowest fit from `iovaBase` upwards; the kernel searches top-down from the DMA
 * limit and caches freed ranges per CPU. Source: drivers/iommu/dma-iommu.c,
 * iommu_dma_alloc_iova; drivers/iommu/iova.c, alloc_iova_fast, 6.12.
 */
export function iovaAlloc(iommu: IommuState, size: number): { iommu: IommuState; range: IovaRange } | null {
  const g = iommu.granule;
  if (!Number.isInteger(size) || size <= 0 || size % g !== 0) throw new RangeError(`iovaAlloc: size must be a positive multiple of the granule ${g}, got ${size}`);
  const align = g * roundUpPow2(size / g);
  let candidate = alignUp(iommu.iovaBase, align);
  let at = 0;
  for (; at < iommu.allocations.length; at++) {
    const a = iommu.allocations[at];
    if (candidate + size <= a.start) break;
    candidate = Math.max(candidate, alignUp(a.start + a.size, align));
  }
  if (candidate + size > IOVA_LIMIT) return null;
  const range = { start: candidate, size };
  const allocations = [...iommu.allocations.slice(0, at), range, ...iommu.allocations.slice(at)];
  return { iommu: { ...iommu, allocations }, range };
}

/** Frees the allocation containing IOVA `addr` whole (`free_iova` finds the node by pfn);
 *  returns the state and the freed range, or `null` as the range when none contains it. */
export function iovaFree(iommu: IommuState, addr: number): { iommu: IommuState; freed: IovaRange | null } {
  const i = iommu.allocations.findIndex((a) => addr >= a.start && addr < a.start + a.size);
  if (i < 0) return { iommu, freed: null };
  return { iommu: { ...iommu, allocations: iommu.allocations.filter((_, k) => k !== i) }, freed: iommu.allocations[i] };
}

/** The boundary `mask + 1`, or null for no boundary (ULONG_MAX). */
function boundaryOf(mask: number | null): number | null {
  return mask === null ? null : mask + 1;
}

/**
 * `iommu_dma_map_sg`'s first pass over the first `nents` entries: each entry starts
 * `iova_offset(s->offset)` into a granule and takes `iova_align(length + that offset)` bytes
 * of IOVA. With a segment boundary (`mask`), when the next entry would cross the boundary
 * following the space used so far, the previous entry is padded so the next starts exactly
 * on it (`pad_len = (mask - iova_len + 1) & mask`, applied when `pad_len < s_length - 1`).
 * Returns the layout per entry and the total (`iova_len`, the size to allocate).
 * Source: drivers/iommu/dma-iommu.c, iommu_dma_map_sg, 6.12.
 */
export function iommuDmaLayout(
  sgl: readonly SgEntry[],
  nents: number,
  granule: number,
  segBoundaryMask: number | null,
): { layout: IovaLayout[]; iovaLen: number } {
  const b = boundaryOf(segBoundaryMask);
  const layout: IovaLayout[] = [];
  let iovaLen = 0;
  for (let i = 0; i < nents; i++) {
    const s = sgl[i];
    const iovaOff = s.offset % granule;
    const sLength = alignUp(s.length + iovaOff, granule);
    const pad = b === null ? 0 : (b - (iovaLen % b)) % b;
    if (pad && pad < sLength - 1) {
      const prev = layout[i - 1];
      layout[i - 1] = { ...prev, iovaLen: prev.iovaLen + pad, pad: prev.pad + pad };
      iovaLen += pad;
    }
    layout.push({ iovaOff, length: s.length, iovaLen: sLength, pad: 0, at: iovaLen });
    iovaLen += sLength;
  }
  return { layout, iovaLen };
}

/**
 * `iommu_map_sg` for one entry: maps IOVA `iovaStart + lay.at` for `lay.iovaLen` bytes onto
 * the entry's physical memory rounded down to its granule (`sg_phys(s) - iovaOff`). With
 * padding the run is longer than the entry and reaches the frames after it, as the kernel's
 * lengthened `s->length` does. Returns the new state (mappings kept sorted by IOVA).
 */
export function iommuMapEntry(
  iommu: IommuState,
  sg: SgEntry,
  lay: IovaLayout,
  entry: number,
  iovaStart: number,
  pageSize: number,
): IommuState {
  const m: IommuMapping = { iova: iovaStart + lay.at, phys: sgPhys(sg, pageSize) - lay.iovaOff, size: lay.iovaLen, entry, pad: lay.pad };
  const mappings = [...iommu.mappings, m].sort((a, b) => a.iova - b.iova);
  return { ...iommu, mappings };
}

/** `__finalise_sg`'s variables before entry 0: `dma_addr` = the allocated IOVA. */
export function finaliseStart(iova: number): FinaliseCursor {
  return { cur: 0, curLen: 0, dmaAddr: iova, count: 0 };
}

/** What `finaliseEntry` did with one entry. */
export interface FinaliseResult {
  sgl: SgEntry[];
  cursor: FinaliseCursor;
  decision: FinaliseDecision;
  /** The entry ends before its IOVA granule does (or was padded): nothing can join after it. */
  endsChain: boolean;
  /** A merge happened only because `max_len - cur_len` wrapped around (unsigned int): the
   *  segment was already longer than `max_seg_size` (an entry longer than the device's limit). */
  wrapped: boolean;
}

/**
 * One iteration of `__finalise_sg` (drivers/iommu/dma-iommu.c, 6.12) for entry `i`: clear its
 * DMA fields, then either concatenate it onto the current DMA segment, when
 *   - there is a segment to append to (`cur_len` != 0),
 *   - the entry starts on an IOVA granule boundary (`!s_iova_off`),
 *   - its IOVA is not on a segment boundary (`dma_addr & seg_mask`), and
 *   - the result stays within `max_seg_size` (`max_len - cur_len >= s_length`, unsigned),
 * or start the next DMA segment in the next entry slot (`cur`), at `dma_addr + s_iova_off`.
 * Then `dma_addr` moves past the entry's IOVA, and `cur_len` drops to 0 if the entry ends
 * before its IOVA does. Returns a new entry list (the input is not changed).
 */
export function finaliseEntry(
  sgl: readonly SgEntry[],
  layout: readonly IovaLayout[],
  i: number,
  c: FinaliseCursor,
  maxSegSize: number,
  segBoundaryMask: number | null,
): FinaliseResult {
  const lay = layout[i];
  const out = sgl.slice();
  out[i] = { ...out[i], dma_address: null, dma_length: 0 };
  const b = boundaryOf(segBoundaryMask);
  // (dma_addr & seg_mask): with ULONG_MAX that is dma_addr itself, never 0 for a real IOVA.
  const notOnBoundary = b === null ? c.dmaAddr !== 0 : c.dmaAddr % b !== 0;
  // unsigned int arithmetic: max_len - cur_len wraps when cur_len > max_len.
  const room = (maxSegSize - c.curLen) >>> 0;
  let { cur, curLen, count } = c;
  let decision: FinaliseDecision;
  let wrapped = false;
  if (curLen && !lay.iovaOff && notOnBoundary && room >= lay.length) {
    wrapped = curLen > maxSegSize;
    curLen += lay.length;
    decision = 'merge';
  } else {
    decision = i === 0 ? 'first' : !curLen ? 'new-gap' : lay.iovaOff ? 'new-offset' : !notOnBoundary ? 'new-boundary' : 'new-max';
    if (i > 0) cur += 1;
    curLen = lay.length;
    count += 1;
    out[cur] = { ...out[cur], dma_address: c.dmaAddr + lay.iovaOff };
  }
  out[cur] = { ...out[cur], dma_length: curLen };
  const dmaAddr = c.dmaAddr + lay.iovaLen;
  const endsChain = lay.length + lay.iovaOff < lay.iovaLen;
  if (endsChain) curLen = 0;
  return { sgl: out, cursor: { cur, curLen, dmaAddr, count }, decision, endsChain, wrapped };
}

/** Removes the IOMMU page-table entries in `[start, start + size)`, splitting runs that
 *  straddle its ends (`iommu_unmap_fast` unmaps exactly that range). */
export function iommuUnmapRange(iommu: IommuState, start: number, size: number): IommuState {
  const end = start + size;
  const mappings: IommuMapping[] = [];
  for (const m of iommu.mappings) {
    const mEnd = m.iova + m.size;
    if (mEnd <= start || m.iova >= end) {
      mappings.push(m);
      continue;
    }
    if (m.iova < start) mappings.push({ ...m, size: start - m.iova, pad: Math.max(0, m.pad - (mEnd - start)) });
    if (mEnd > end) mappings.push({ ...m, iova: end, phys: m.phys + (end - m.iova), size: mEnd - end, pad: Math.min(m.pad, mEnd - end) });
  }
  return { ...iommu, mappings };
}

/** What `iommuDmaUnmapSg` did. */
export interface IommuUnmapResult {
  iommu: IommuState;
  /** The IOVA range unmapped (granule aligned), or null when no DMA segment was found. */
  unmapped: IovaRange | null;
  /** The allocation freed, or null. */
  freed: IovaRange | null;
  /** Page-table runs still inside the freed allocation afterwards (stale translations). */
  stale: IommuMapping[];
}

/**
 * `iommu_dma_unmap_sg(dev, sg, nents, ...)` (drivers/iommu/dma-iommu.c, 6.12), IOVA part:
 * "the scatterlist segments are mapped into a single contiguous IOVA allocation, the start
 * and end points just have to be determined". Start = `sg_dma_address` of entry 0 (unless
 * its `sg_dma_len` is 0); end = the end of the last of the first `nents` entries whose
 * `sg_dma_len` is not 0. Then `__iommu_dma_unmap` unmaps `[start, end)` rounded out to granules
 * and frees the IOVA allocation. The CPU sync over the first `nents` CPU entries is the
 * caller's (`dmaUnmapSg`).
 *
 * Because the walk stops at the first entry with no DMA segment, passing the mapped count
 * instead of the original `nents` still finds the whole range here.
 */
export function iommuDmaUnmapSg(sgl: readonly SgEntry[], nents: number, iommu: IommuState): IommuUnmapResult {
  if (nents < 1 || sgl[0].dma_length === 0 || sgl[0].dma_address === null) return { iommu, unmapped: null, freed: null, stale: [] };
  const start = sgl[0].dma_address;
  let end = 0;
  for (let i = 0; i < nents; i++) {
    const s = sgl[i];
    if (s.dma_length === 0 || s.dma_address === null) break;
    end = s.dma_address + s.dma_length;
  }
  const g = iommu.granule;
  const off = start % g;
  const base = start - off;
  const size = alignUp(end - start + off, g);
  let next = iommuUnmapRange(iommu, base, size);
  const f = iovaFree(next, base);
  next = f.iommu;
  const stale = f.freed ? next.mappings.filter((m) => m.iova < f.freed!.start + f.freed!.size && m.iova + m.size > f.freed!.start) : [];
  return { iommu: next, unmapped: { start: base, size }, freed: f.freed, stale };
}

/**
 * Translates `len` bytes at IOVA `addr` through the IOMMU page table into physical pieces
 * (in order, split at frame and run boundaries). Throws `Error` ("IOMMU fault") when part of
 * the range is not mapped: the device's access would be blocked and reported.
 */
export function iommuTranslate(iommu: IommuState, addr: number, len: number, pageSize: number): { phys: number; len: number; pfn: number }[] {
  const out: { phys: number; len: number; pfn: number }[] = [];
  let a = addr;
  const end = addr + len;
  while (a < end) {
    const m = iommu.mappings.find((r) => a >= r.iova && a < r.iova + r.size);
    if (!m) throw new Error(`IOMMU fault: no translation for IOVA 0x${a.toString(16)}`);
    const phys = m.phys + (a - m.iova);
    const frameEnd = (Math.floor(phys / pageSize) + 1) * pageSize;
    const n = Math.min(end - a, m.iova + m.size - a, frameEnd - phys);
    out.push({ phys, len: n, pfn: Math.floor(phys / pageSize) });
    a += n;
  }
  return out;
}

/** The IOMMU's translations one granule at a time, for views drawing lines from IOVA pages to
 *  frames: `{iova, phys, pfn, entry, pad}` with `pad` true for padding granules. */
export function iommuGranules(iommu: IommuState, pageSize: number): { iova: number; phys: number; pfn: number; entry: number; pad: boolean }[] {
  const g = iommu.granule;
  const out: { iova: number; phys: number; pfn: number; entry: number; pad: boolean }[] = [];
  for (const m of iommu.mappings) {
    for (let k = 0; k < m.size; k += g) {
      out.push({ iova: m.iova + k, phys: m.phys + k, pfn: Math.floor((m.phys + k) / pageSize), entry: m.entry, pad: k >= m.size - m.pad });
    }
  }
  return out;
}
