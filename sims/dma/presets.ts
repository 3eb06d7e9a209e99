/**
 * Ready-made configurations of the scatter-gather / IOMMU model (`./model.ts`) for the lesson
 * and the player.
 *
 * Pages are the real 4 KiB. The device's per-command limit is scaled down in
 * 'chunked-transfer' (16 KiB instead of the original question's 256 KiB) so that every page, entry and
 * descriptor can be drawn; the loop is the same. Frame numbers are made up but fixed.
 *
 * Every preset has a `schedule`: in this model exactly one actor can move at a time, so the
 * schedule just says who acts at each step ('D' the driver, 'V' the device), and replaying it
 * ends with the ioctl returned. `model.test.ts` checks each preset's outcome.
 */
import type { DmaChoice, DmaParams } from './types.ts';

/** A preset: what the player shows in its menu, the parameters, and the schedule. */
export interface DmaPreset {
  /** Short title for a menu or heading. */
  title: string;
  /** One or two plain sentences: what the preset shows and how it ends. */
  description: string;
  params: DmaParams;
  /** The whole run, from the initial state until the ioctl returns. */
  schedule: DmaChoice[];
}

/**
 * Compact schedule notation, for readability here only: 'D' the driver acts, 'V' the device
 * acts, each optionally followed by a repeat count ('D7' = seven driver steps).
 */
export function sched(...codes: string[]): DmaChoice[] {
  return codes.flatMap((c): DmaChoice[] => {
    const m = /^([DV])(\d*)$/.exec(c);
    if (!m) throw new Error(`presets: bad schedule code ${JSON.stringify(c)}`);
    const n = m[2] === '' ? 1 : Number(m[2]);
    const choice: DmaChoice = m[1] === 'D' ? { kind: 'driver' } : { kind: 'device' };
    return Array.from({ length: n }, () => ({ ...choice }));
  });
}

const KiB = 1024;

/** No IOMMU: dma-direct. */
const NO_IOMMU = { enabled: false, iovaBase: 0x100000, granule: 4096 };
/** An IOMMU whose IOVA space starts at 1 MiB, with 4 KiB granules. */
const IOMMU = { enabled: true, iovaBase: 0x100000, granule: 4096 };

/** The common part: 4 KiB pages, the device reads nothing, writes into memory. */
const BASE = {
  pageSize: 4096,
  sgMaxSegment: null,
  maxSegSize: 64 * KiB,
  segBoundaryMask: null,
  dir: 'DMA_FROM_DEVICE',
  api: 'dma_map_sg',
  unmapNents: 'orig',
} as const;

/** Four scattered frames: 3532 bytes from offset 0x234, two whole pages, 1000 bytes. */
const SCATTERED = { pfns: [0x1a3, 0x3c0, 0x2f7, 0x512], offset: 0x234, len: 3532 + 4096 + 4096 + 1000 };

export const DMA_PRESETS: Record<string, DmaPreset> = {
  'sg-build': {
    title: 'A scatterlist from pinned pages',
    description:
      'Six pinned pages, the buffer starting 0x234 into the first. sg_alloc_table_from_pages_segment merges the runs of ' +
      'consecutive frames: entry 0 (3 pages, 11724 bytes from offset 0x234), entry 1 (2 whole pages) and a short entry 2 (1000 bytes).',
    params: {
      ...BASE,
      buffer: { pfns: [0x1a3, 0x1a4, 0x1a5, 0x3c0, 0x3c1, 0x2f7], offset: 0x234, len: 3532 + 4 * 4096 + 1000 },
      iommu: NO_IOMMU,
      device: { maxDescLen: 8 * KiB, maxTransfer: 256 * KiB },
    },
    schedule: sched('D16', 'V5', 'D3'),
  },
  'map-direct': {
    title: 'dma_map_sg without an IOMMU',
    description:
      'Four scattered pages, one entry each. With no IOMMU every entry\'s bus address is its physical address and ' +
      'dma_map_sg returns 4, the nents it was given: the device gets one descriptor per page.',
    params: { ...BASE, buffer: SCATTERED, iommu: NO_IOMMU, device: { maxDescLen: 4 * KiB, maxTransfer: 256 * KiB } },
    schedule: sched('D15', 'V5', 'D3'),
  },
  'map-iommu': {
    title: 'dma_map_sg behind an IOMMU',
    description:
      'The same four scattered pages behind an IOMMU. iommu_dma_map_sg maps them at consecutive IOVAs, and __finalise_sg ' +
      'merges all four entries into one DMA segment: dma_map_sg returns 1, fewer than nents. The device still cuts it into 4 KiB descriptors.',
    params: { ...BASE, buffer: SCATTERED, iommu: IOMMU, device: { maxDescLen: 4 * KiB, maxTransfer: 256 * KiB } },
    schedule: sched('D20', 'V5', 'D3'),
  },
  'max-segment': {
    title: 'The maximum segment size',
    description:
      'The device takes segments of at most 8 KiB, and the driver builds the table with that max_segment: four consecutive ' +
      'frames become two entries. Behind the IOMMU, __finalise_sg merges only while a segment stays within 8 KiB: ' +
      'dma_map_sgtable sets nents = 4 while orig_nents stays 5.',
    params: {
      ...BASE,
      buffer: { pfns: [0x200, 0x201, 0x202, 0x203, 0x3c0, 0x2f7, 0x512, 0x513], offset: 0, len: 7 * 4096 + 2000 },
      sgMaxSegment: 8 * KiB,
      maxSegSize: 8 * KiB,
      api: 'dma_map_sgtable',
      iommu: IOMMU,
      device: { maxDescLen: 8 * KiB, maxTransfer: 256 * KiB },
    },
    schedule: sched('D26', 'V5', 'D3'),
  },
  'unmap-bug': {
    title: 'Unmapping with the mapped count',
    description:
      'As behind an IOMMU above, but the driver passes dma_unmap_sg the 1 that dma_map_sg returned instead of the original 4. ' +
      'dma-debug reports it, and entries 1–3 are never handed back to the CPU; the IOVA range is still freed whole in 6.12.',
    params: { ...BASE, buffer: SCATTERED, iommu: IOMMU, unmapNents: 'mapped', device: { maxDescLen: 4 * KiB, maxTransfer: 256 * KiB } },
    schedule: sched('D20', 'V5', 'D3'),
  },
  'chunked-transfer': {
    title: 'A large buffer in hardware-sized commands',
    description:
      'A 40 KiB buffer on eleven pages, for a device that moves at most 16 KiB per command (the seed\'s 256 KiB, scaled). ' +
      'The driver loops: three commands of 16, 16 and 8 KiB, each with its own scatterlist, mapping and descriptors.',
    params: {
      ...BASE,
      buffer: { pfns: [0x400, 0x401, 0x402, 0x7a0, 0x7a1, 0x7a2, 0x7a3, 0x150, 0x151, 0x9f0, 0x9f1], offset: 0x800, len: 40 * KiB },
      iommu: NO_IOMMU,
      device: { maxDescLen: 8 * KiB, maxTransfer: 16 * KiB },
    },
    schedule: sched('D13', 'V4', 'D15', 'V4', 'D12', 'V3', 'D3'),
  },
};
