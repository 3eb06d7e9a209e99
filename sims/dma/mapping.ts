/**
 * The DMA API entry points for scatterlists in Linux 6.12 (kernel/dma/mapping.c):
 * `dma_map_sg` / `dma_map_sgtable` / `dma_unmap_sg` / `dma_unmap_sgtable`, dispatching to
 * dma-direct (kernel/dma/direct.c) or to the IOMMU (drivers/iommu/dma-iommu.c, see
 * `./iommu.ts`), plus the scatterlist checks of dma-debug (kernel/dma/debug.c). Pure functions.
 *
 * Simplifications: the device is DMA-coherent and every frame is addressable, so dma-direct
 * needs neither cache maintenance nor swiotlb bounce buffers (the later caches/swiotlb work
 * belongs here: `owner` already records who may touch each entry). Bus address = physical
 * address (no `dma_range_map` offsets).
 */
import { finaliseEntry, finaliseStart, iommuDmaLayout, iommuDmaUnmapSg, iommuMapEntry, iovaAlloc } from './iommu.ts';
import { entryPfns, sgPhys } from './sg.ts';
import type { DmaReport, IommuState, IovaLayout, IovaRange, SgEntry, SgTable } from './types.ts';

/** `-ENOMEM` as `dma_map_sgtable` returns it. */
export const ENOMEM = 12;

/** A device's DMA limits as the mapping code reads them. */
export interface DmaDeviceLimits {
  /** `dma_get_max_seg_size(dev)`, bytes. */
  maxSegSize: number;
  /** `dma_get_seg_boundary(dev)`; null = ULONG_MAX (none). */
  segBoundaryMask: number | null;
  /** PAGE_SIZE, bytes. */
  pageSize: number;
}

function checkNents(sgt: SgTable, nents: number, who: string): void {
  if (!Number.isInteger(nents) || nents < 1 || nents > sgt.orig_nents) {
    throw new RangeError(`${who}: nents must be an integer from 1 to orig_nents (${sgt.orig_nents}), got ${nents}`);
  }
}

/**
 * `dma_direct_map_sg` (kernel/dma/direct.c, 6.12): for each of the first `nents` entries,
 * `sg->dma_address = dma_direct_map_page(...)` (here the physical address, `sg_phys`) and
 * `sg_dma_len = sg->length`; returns `nents` unchanged, merging nothing. The entries become
 * device-owned. Default `nents`: `sgt.orig_nents`. Throws `RangeError` on a bad `nents`.
 */
export function dmaMapSgDirect(sgt: SgTable, pageSize = 4096, nents = sgt.orig_nents): { sgt: SgTable; count: number } {
  checkNents(sgt, nents, 'dma_direct_map_sg');
  const sgl = sgt.sgl.map((e, i): SgEntry => (i < nents ? { ...e, dma_address: sgPhys(e, pageSize), dma_length: e.length, owner: 'device' } : e));
  return { sgt: { ...sgt, sgl }, count: nents };
}

/** What `dmaMapSgIommu` produced. */
export interface IommuMapResult {
  sgt: SgTable;
  iommu: IommuState;
  /** The mapped count: DMA segments in `sgl[0 .. count - 1]`; 0 when no IOVA was left. */
  count: number;
  /** The IOVA range allocated (null on failure). */
  iova: IovaRange | null;
  /** The first pass's per-entry layout. */
  layout: IovaLayout[];
}

/**
 * `iommu_dma_map_sg` (drivers/iommu/dma-iommu.c, 6.12) over the first `nents` entries
 * (default `orig_nents`): lay the entries out in IOVA granules (with segment-boundary
 * padding), allocate one IOVA range for all of them, map each entry (`iommu_map_sg`), then
 * `__finalise_sg`: consecutive entries that are contiguous in IOVA space merge into one DMA
 * segment while it stays within `maxSegSize` and does not start at a segment boundary.
 * Returns the mapped count, which is less than `nents` whenever something merged. On IOVA
 * exhaustion returns count 0 and the inputs unchanged (`dma_map_sg` returns 0, -ENOMEM).
 * `opts.pageSize` defaults to 4096, `opts.segBoundaryMask` to null (ULONG_MAX).
 */
export function dmaMapSgIommu(
  sgt: SgTable,
  iommu: IommuState,
  maxSegSize: number,
  opts: { pageSize?: number; segBoundaryMask?: number | null; nents?: number } = {},
): IommuMapResult {
  const pageSize = opts.pageSize ?? 4096;
  const mask = opts.segBoundaryMask ?? null;
  const nents = opts.nents ?? sgt.orig_nents;
  checkNents(sgt, nents, 'iommu_dma_map_sg');
  if (!iommu.enabled) throw new Error('iommu_dma_map_sg: the IOMMU is not enabled');
  const { layout, iovaLen } = iommuDmaLayout(sgt.sgl, nents, iommu.granule, mask);
  const alloc = iovaAlloc(iommu, iovaLen);
  if (!alloc) return { sgt, iommu, count: 0, iova: null, layout };
  let io = alloc.iommu;
  for (let i = 0; i < nents; i++) io = iommuMapEntry(io, sgt.sgl[i], layout[i], i, alloc.range.start, pageSize);
  let sgl = sgt.sgl.map((e, i): SgEntry => (i < nents ? { ...e, owner: 'device' } : e));
  let cursor = finaliseStart(alloc.range.start);
  for (let i = 0; i < nents; i++) {
    const r = finaliseEntry(sgl, layout, i, cursor, maxSegSize, mask);
    sgl = r.sgl;
    cursor = r.cursor;
  }
  return { sgt: { ...sgt, sgl }, iommu: io, count: cursor.count, iova: alloc.range, layout };
}

/**
 * `dma_map_sg(dev, sgl, nents, dir)` (kernel/dma/mapping.c `dma_map_sg_attrs`, 6.12):
 * dma-direct when `iommu` is null or disabled, else `iommu_dma_map_sg`. Returns the mapped
 * count (0 on failure); `sgt.nents` is NOT changed (the caller keeps the count).
 */
export function dmaMapSg(
  sgt: SgTable,
  nents: number,
  iommu: IommuState | null,
  dev: DmaDeviceLimits,
): { sgt: SgTable; iommu: IommuState | null; count: number } {
  if (!iommu || !iommu.enabled) {
    const r = dmaMapSgDirect(sgt, dev.pageSize, nents);
    return { sgt: r.sgt, iommu, count: r.count };
  }
  const r = dmaMapSgIommu(sgt, iommu, dev.maxSegSize, { pageSize: dev.pageSize, segBoundaryMask: dev.segBoundaryMask, nents });
  return { sgt: r.sgt, iommu: r.iommu, count: r.count };
}

/**
 * `dma_map_sgtable(dev, sgt, dir, attrs)` (kernel/dma/mapping.c, 6.12): maps `orig_nents`
 * entries and stores the mapped count in `sgt.nents`; `orig_nents` is kept. Returns 0, or
 * `-ENOMEM` (-12) with the table unchanged when no IOVA was left.
 */
export function dmaMapSgtable(sgt: SgTable, iommu: IommuState | null, dev: DmaDeviceLimits): { sgt: SgTable; iommu: IommuState | null; ret: number } {
  const r = dmaMapSg(sgt, sgt.orig_nents, iommu, dev);
  if (r.count === 0) return { sgt, iommu, ret: -ENOMEM };
  return { sgt: { ...r.sgt, nents: r.count }, iommu: r.iommu, ret: 0 };
}

/** What `dmaUnmapSg` did. */
export interface UnmapResult {
  sgt: SgTable;
  iommu: IommuState | null;
  /** dma-debug's complaint when `nents` is not the original count, else null. */
  report: DmaReport | null;
  /** Indexes of CPU entries not handed back to the CPU (left device-owned). */
  unsynced: number[];
  /** IOMMU only: the IOVA range unmapped and the allocation freed (null without an IOMMU). */
  unmapped: IovaRange | null;
  freed: IovaRange | null;
  /** IOMMU only: page-table runs left inside the freed range (a stale translation). */
  stale: IovaRange[];
}

/**
 * `dma_unmap_sg(dev, sgl, nents, dir)` (kernel/dma/mapping.c `dma_unmap_sg_attrs`, 6.12).
 * `nents` MUST be the count passed to `dma_map_sg` (`sgt.orig_nents`), not the count it
 * returned. Any other value is reported the way dma-debug does ("device driver frees DMA sg
 * list with different entry count"), and its real consequences follow the 6.12 code:
 * - both dma-direct and the IOMMU path hand back to the CPU (sync for the CPU) only the first
 *   `nents` CPU entries, so the rest stay device-owned (`unsynced`): on a non-coherent CPU
 *   their cache lines are never invalidated, and the CPU can read stale data;
 * - the IOMMU path finds its IOVA range from the DMA fields and stops at the first entry
 *   without one, so with the mapped count it still unmaps and frees the whole range (no IOVA
 *   leak in 6.12's dma-iommu); any stale translation would show in `stale`.
 * Throws `RangeError` unless `1 <= nents <= orig_nents`.
 */
export function dmaUnmapSg(sgt: SgTable, nents: number, iommu: IommuState | null = null): UnmapResult {
  checkNents(sgt, nents, 'dma_unmap_sg');
  const sgl = sgt.sgl.map((e, i): SgEntry => (i < nents ? { ...e, owner: 'cpu' } : e));
  const unsynced = sgl.flatMap((e, i) => (e.owner === 'device' ? [i] : []));
  let report: DmaReport | null = null;
  if (nents !== sgt.orig_nents) {
    report = {
      kind: 'unmap-count',
      chunk: 0,
      message: `device driver frees DMA sg list with different entry count [map count=${sgt.orig_nents}] [unmap count=${nents}]`,
      entry: null,
      passed: nents,
      orig_nents: sgt.orig_nents,
      unsyncedPfns: unsynced.flatMap((i) => entryPfns(sgl[i])),
    };
  }
  if (!iommu || !iommu.enabled) {
    return { sgt: { ...sgt, sgl }, iommu, report, unsynced, unmapped: null, freed: null, stale: [] };
  }
  const r = iommuDmaUnmapSg(sgt.sgl, nents, iommu);
  return {
    sgt: { ...sgt, sgl },
    iommu: r.iommu,
    report,
    unsynced,
    unmapped: r.unmapped,
    freed: r.freed,
    stale: r.stale.map((m) => ({ start: m.iova, size: m.size })),
  };
}

/** `dma_unmap_sgtable(dev, sgt, dir, attrs)`: `dma_unmap_sg_attrs(dev, sgt->sgl,
 *  sgt->orig_nents, ...)`, always the right count (include/linux/dma-mapping.h, 6.12). */
export function dmaUnmapSgtable(sgt: SgTable, iommu: IommuState | null = null): UnmapResult {
  return dmaUnmapSg(sgt, sgt.orig_nents, iommu);
}

/**
 * dma-debug's `check_sg_segment` (kernel/dma/debug.c, CONFIG_DMA_API_DEBUG_SG, 6.12) over
 * the first `count` entries after mapping: an entry longer than `max_seg_size` ("the driver
 * forgot to set dma_parms appropriately, or whoever generated the list forgot to check them";
 * it compares the CPU `sg->length`, as the kernel does), and a DMA segment that crosses the
 * segment boundary. Returns the reports (chunk 0; callers set it).
 */
export function dmaDebugCheckSegments(sgt: SgTable, count: number, dev: DmaDeviceLimits): DmaReport[] {
  const out: DmaReport[] = [];
  const base = { chunk: 0, passed: null, orig_nents: null, unsyncedPfns: [] as number[] };
  for (let i = 0; i < count; i++) {
    const s = sgt.sgl[i];
    if (s.length > dev.maxSegSize) {
      out.push({
        ...base,
        kind: 'segment-too-long',
        entry: i,
        message: `mapping sg segment longer than device claims to support [len=${s.length}] [max=${dev.maxSegSize}]`,
      });
    }
    if (dev.segBoundaryMask !== null && s.dma_address !== null && s.dma_length > 0) {
      const b = dev.segBoundaryMask + 1;
      const start = s.dma_address;
      const end = start + s.dma_length - 1;
      if (Math.floor(start / b) !== Math.floor(end / b)) {
        out.push({
          ...base,
          kind: 'segment-boundary',
          entry: i,
          message: `mapping sg segment across boundary [start=0x${start.toString(16)}] [end=0x${end.toString(16)}] [boundary=0x${dev.segBoundaryMask.toString(16)}]`,
        });
      }
    }
  }
  return out;
}
