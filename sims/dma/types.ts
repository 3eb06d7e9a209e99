/**
 * Types of the scatter-gather and IOMMU model (`sims/dma`): the contract between the engine
 * and the views (the scatterlist table linked to frames, the IOMMU as lines from IOVA space to
 * frames, the device's descriptor list).
 *
 * The story, on Linux 6.12: a driver has a pinned user buffer (a list of page frame numbers,
 * the offset of the buffer in its first page, and its length). For each hardware-sized chunk
 * of it (the original question's 256 KiB loop) it builds a scatterlist (`sg_alloc_table_from_pages_segment`,
 * `lib/scatterlist.c`), maps it (`dma_map_sg` / `dma_map_sgtable`, `kernel/dma/mapping.c`,
 * through dma-direct or `iommu_dma_map_sg` in `drivers/iommu/dma-iommu.c`), writes one or more
 * descriptors per DMA segment, lets the device transfer, waits for its interrupt, unmaps
 * (`dma_unmap_sg` with the original `nents`) and frees the table.
 *
 * Units: every address and length is in bytes; page frame numbers (PFNs) count pages of
 * `pageSize` bytes, so frame `n` holds physical bytes `n * pageSize .. (n + 1) * pageSize - 1`.
 * Addresses are plain numbers (exact below 2^53; the model keeps them below 2^52).
 *
 * Pinning (page tables, `pin_user_pages`) is `sims/mm`'s business: this model takes the pinned
 * pages as input and never imports from there.
 *
 * Structure of the folder, so caches, coherence and swiotlb can be added later:
 * `sg.ts` (scatterlists), `iommu.ts` (IOVA allocator, IOMMU page table, `iommu_dma_map_sg`),
 * `mapping.ts` (the DMA API entry points and dma-direct), `device.ts` (descriptors, chunking,
 * the device's view of memory), `model.ts` (the step-able story), `presets.ts`.
 */
import type { StepEvent } from '../core/model.ts';

// ---------------------------------------------------------------------------------------
// Inputs

/** A pinned user buffer: what `pin_user_pages()` left the driver with. */
export interface UserBuffer {
  /** Frames of the pinned pages in buffer order: `pfns[i]` holds page `i` of the buffer.
   *  Exactly `DIV_ROUND_UP(offset + len, pageSize)` of them. */
  pfns: number[];
  /** `offset_in_page(user address)`: bytes into `pfns[0]` where the buffer starts;
   *  `0 <= offset < pageSize`. */
  offset: number;
  /** Length of the buffer in bytes; >= 1. */
  len: number;
}

/** The DMA direction (`enum dma_data_direction`); decides who writes the buffer. */
export type DmaDirection =
  /** The device writes memory (the original question's data acquisition: device -> user buffer). */
  | 'DMA_FROM_DEVICE'
  /** The device reads memory. */
  | 'DMA_TO_DEVICE'
  /** Either; needs both kinds of sync (relevant once caches are modelled). */
  | 'DMA_BIDIRECTIONAL';

/** The IOMMU in front of the device (drivers/iommu/dma-iommu.c), or its absence. */
export interface IommuParams {
  /** true: the device sits behind an IOMMU with a DMA domain (`iommu_dma_map_sg`);
   *  false: dma-direct, bus address = physical address (`dma_direct_map_sg`). */
  enabled: boolean;
  /** Lowest IOVA the allocator hands out, in bytes; a multiple of `granule`, >= `granule`
   *  (IOVA 0 means failure in the kernel). Ignored when `enabled` is false. */
  iovaBase: number;
  /** IOVA granule in bytes (`iovad->granule`, the smallest IOMMU page size): a power of two,
   *  at most `pageSize`. Ignored when `enabled` is false. */
  granule: number;
}

/** The device's limits. */
export interface DeviceParams {
  /** Largest length one hardware descriptor can carry, in bytes; >= 1. A DMA segment longer
   *  than this becomes several descriptors. */
  maxDescLen: number;
  /** Largest transfer one command may move, in bytes; >= 1 (the original question's `HW_DMA_MAX`, 256 KiB).
   *  The driver's loop cuts the buffer into chunks of at most this many bytes. */
  maxTransfer: number;
}

/** Model parameters (plain JSON). */
export interface DmaParams {
  /** The pinned user buffer. Its frames must be distinct (the coverage check relies on it). */
  buffer: UserBuffer;
  /** `PAGE_SIZE` in bytes: a power of two from 256 to 65536. */
  pageSize: number;
  /** `max_segment` the driver passes to `sg_alloc_table_from_pages_segment`, in bytes; the
   *  kernel aligns it down to `pageSize` and refuses less than one page. `null` means
   *  `sg_alloc_table_from_pages` (UINT_MAX). A careful driver passes
   *  `dma_get_max_seg_size(dev)`. */
  sgMaxSegment: number | null;
  /** `dma_get_max_seg_size(dev)` in bytes (the kernel's default without `dma_parms` is
   *  64 KiB): the IOMMU never merges a DMA segment beyond it. 1 .. UINT_MAX. */
  maxSegSize: number;
  /** `dma_get_seg_boundary(dev)`: a mask whose `+ 1` is a power of two >= `pageSize`; no DMA
   *  segment may cross a multiple of `mask + 1`. `null` means ULONG_MAX (no boundary). */
  segBoundaryMask: number | null;
  iommu: IommuParams;
  device: DeviceParams;
  /** Direction of every transfer. */
  dir: DmaDirection;
  /** Which mapping call the driver uses: `dma_map_sg` (keeps the returned count itself) or
   *  `dma_map_sgtable` (stores it in `sgt->nents`, keeps `orig_nents`). */
  api: 'dma_map_sg' | 'dma_map_sgtable';
  /** What the driver passes to unmap: `'orig'` the original `nents` (right; with
   *  `dma_map_sgtable` this is `dma_unmap_sgtable`), `'mapped'` the count `dma_map_sg`
   *  returned, or `sgt->nents` after `dma_map_sgtable` (the classic bug). */
  unmapNents: 'orig' | 'mapped';
}

// ---------------------------------------------------------------------------------------
// The scatterlist

/** Who may touch an entry's memory (DMA-API ownership): mapping hands it to the device,
 *  unmapping (or `dma_sync_sg_for_cpu`) hands it back. Caches make this matter (later). */
export type Owner = 'cpu' | 'device';

/**
 * One `struct scatterlist` entry. CPU side: `sg_page`, `offset`, `length` (what `sg_set_page`
 * recorded). Device side: `sg_dma_address`, `sg_dma_len` (what `dma_map_sg` filled in; with
 * an IOMMU, entry `i` holds DMA segment `i`, which may cover several CPU entries).
 */
export interface SgEntry {
  /** `sg_page(sg)` as a frame number: the first page of the entry. */
  pfn: number;
  /** `sg->offset`: bytes into page `pfn` where the entry starts (non-zero only in entry 0
   *  of a table built from a buffer). */
  offset: number;
  /** `sg->length`: bytes the entry covers; they lie in the physically consecutive frames
   *  `pfn .. pfn + npages - 1`. */
  length: number;
  /** Number of pages the entry spans: `DIV_ROUND_UP(offset + length, pageSize)`. */
  npages: number;
  /** Index in the (chunk's) buffer of the first byte this entry covers (for views). */
  bufferOffset: number;
  /** `sg_dma_address(sg)`: the bus address (dma-direct: the physical address) or IOVA of DMA
   *  segment `i`; `null` when the entry holds no DMA segment (never mapped, unmapped, or an
   *  entry at or after the mapped count: the kernel writes `DMA_MAPPING_ERROR` there). */
  dma_address: number | null;
  /** `sg_dma_len(sg)`: bytes of DMA segment `i`; 0 when the entry holds none. */
  dma_length: number;
  /** DMA-API ownership of this entry's bytes. */
  owner: Owner;
}

/** `struct sg_table`. */
export interface SgTable {
  /** The entries (`sgt->sgl`), in buffer order; the model never chains tables. */
  sgl: SgEntry[];
  /** `sgt->nents`: entries built, then (after `dma_map_sgtable`) the number of DMA segments.
   *  Iterate DMA segments with `for_each_sgtable_dma_sg` over this. */
  nents: number;
  /** `sgt->orig_nents`: the CPU entries; never changed by mapping. Iterate CPU pages with
   *  `for_each_sgtable_sg`, and unmap with this. */
  orig_nents: number;
}

// ---------------------------------------------------------------------------------------
// The IOMMU

/** One allocated IOVA range (`struct iova`), granule aligned. */
export interface IovaRange {
  /** First IOVA, bytes. */
  start: number;
  /** Size, bytes (a multiple of the granule). */
  size: number;
}

/**
 * One run of IOMMU page-table entries, written by `iommu_map_sg` for one CPU entry:
 * IOVA `iova .. iova + size - 1` translates to physical `phys .. phys + size - 1`.
 * Per granule, IOVA `iova + k * granule` -> physical `phys + k * granule`.
 */
export interface IommuMapping {
  /** First IOVA, granule aligned. */
  iova: number;
  /** First physical address, granule aligned (the entry's start rounded down). */
  phys: number;
  /** Bytes mapped: the entry rounded out to granules, plus `pad`. */
  size: number;
  /** Index of the CPU sg entry this run maps. */
  entry: number;
  /** Bytes of segment-boundary padding at the end (0 usually). `iommu_dma_map_sg` lengthens
   *  the previous entry so the next one starts on a boundary, and `iommu_map_sg` maps that
   *  length, so the padding maps the frames physically after the entry. */
  pad: number;
}

/** The IOMMU: the IOVA allocator and the page table of the device's DMA domain. */
export interface IommuState {
  /** Copied from the parameters. */
  enabled: boolean;
  iovaBase: number;
  granule: number;
  /** Live IOVA allocations, sorted by `start`. */
  allocations: IovaRange[];
  /** Live page-table runs, sorted by `iova`. */
  mappings: IommuMapping[];
}

/**
 * How `iommu_dma_map_sg` laid out one CPU entry in IOVA space before allocating (the kernel
 * stashes these in the entry itself: `sg_dma_address` = `iovaOff`, `sg_dma_len` = `length`,
 * `s->offset -= iovaOff`, `s->length = iovaLen`; the model keeps them beside the table).
 */
export interface IovaLayout {
  /** `iova_offset(iovad, s->offset)`: bytes into its first granule where the entry starts. */
  iovaOff: number;
  /** The entry's real length in bytes (`s->length` before alignment). */
  length: number;
  /** IOVA bytes the entry takes: `iova_align(length + iovaOff)` plus `pad`. */
  iovaLen: number;
  /** Padding added at its end so that the next entry starts on a segment boundary. */
  pad: number;
  /** IOVA of the entry's first granule, relative to the start of the allocation. */
  at: number;
}

/** Why `__finalise_sg` did what it did with one entry (for narration and views). */
export type FinaliseDecision =
  /** Entry 0: starts DMA segment 0. */
  | 'first'
  /** Concatenated onto the current DMA segment. */
  | 'merge'
  /** Started a new DMA segment: the entry does not start on an IOVA granule boundary. */
  | 'new-offset'
  /** Started a new DMA segment: the previous one ends before its granule does (or was
   *  padded), so the two are not contiguous in IOVA space. */
  | 'new-gap'
  /** Started a new DMA segment: the entry starts on a segment boundary. */
  | 'new-boundary'
  /** Started a new DMA segment: appending would exceed `max_seg_size`. */
  | 'new-max';

/** `__finalise_sg`'s running variables between entries. */
export interface FinaliseCursor {
  /** Index of the entry holding the current DMA segment (`cur`). */
  cur: number;
  /** Length of the current DMA segment so far (`cur_len`); 0 when nothing may join it. */
  curLen: number;
  /** IOVA of the next entry's first granule (`dma_addr`). */
  dmaAddr: number;
  /** DMA segments so far (`count`). */
  count: number;
}

// ---------------------------------------------------------------------------------------
// The device

/** A DMA segment as the device sees it (`sg_dma_address`, `sg_dma_len`). */
export interface DmaSeg {
  addr: number;
  len: number;
}

/** One hardware descriptor (what `toDescriptors` returns). */
export interface Descriptor {
  /** Bus address (or IOVA) the device accesses. */
  addr: number;
  /** Bytes; 1 .. `maxDescLen`. */
  len: number;
}

/** A descriptor in the device's list for the current command. */
export interface PostedDescriptor extends Descriptor {
  /** The DMA segment (sg entry index < mapped count) it was cut from. */
  seg: number;
  /** Piece of that segment, from 0. */
  part: number;
  /** Pieces that segment was cut into. */
  parts: number;
  /** The device has carried it out. */
  done: boolean;
}

/** One piece of physical memory the device touched. */
export interface PhysPiece {
  /** Physical address, bytes. */
  phys: number;
  /** Bytes. */
  len: number;
  /** The frame `phys` lies in. Pieces never cross a frame. */
  pfn: number;
}

/** One descriptor carried out by the device. */
export interface DeviceAccess {
  /** 0-based command (chunk) index. */
  command: number;
  /** Descriptor index within the command. */
  desc: number;
  /** Bus address / IOVA the device used. */
  addr: number;
  len: number;
  /** Where the bytes really went (after the IOMMU, if any), one piece per frame. */
  phys: PhysPiece[];
  /** `true` when the device wrote memory (DMA_FROM_DEVICE / BIDIRECTIONAL), `false` when it read. */
  write: boolean;
}

/** The device's side. */
export interface DeviceState {
  /** The descriptor list of the current command, in posting order. */
  descriptors: PostedDescriptor[];
  /** Index of the next descriptor the device carries out. */
  next: number;
  /** The driver has started the device on the current list (doorbell written). */
  running: boolean;
  /** The device finished the list and its completion interrupt has not been handled yet. */
  irqPending: boolean;
  /** Commands completed. */
  commands: number;
  /** Bytes moved in all commands. */
  bytesMoved: number;
  /** Every descriptor carried out, in order (for the coverage check and views). */
  accesses: DeviceAccess[];
}

// ---------------------------------------------------------------------------------------
// The driver

/** A chunk of the buffer for one command (from `splitTransfer`). */
export interface TransferChunk {
  /** Index of its first byte in the whole buffer. */
  start: number;
  /** Bytes; 1 .. `maxTransfer`. */
  len: number;
}

/** What the driver's next step does. */
export type DriverPhase =
  /** Take the next chunk (`chunk + 1`) of the buffer, or return when none is left. */
  | 'start-chunk'
  /** `sg_alloc_table_from_pages_segment`: place page `cursor` of the chunk. */
  | 'sg-page'
  /** dma-direct: map entry `cursor` (`dma_direct_map_page`). */
  | 'map-direct'
  /** IOMMU: lay the entries out in IOVA granules and allocate one IOVA range. */
  | 'iova-alloc'
  /** IOMMU: `iommu_map_sg` writes the page-table entries for entry `cursor`. */
  | 'iommu-map'
  /** IOMMU: `__finalise_sg` restores entry `cursor` and merges or starts a DMA segment. */
  | 'finalise'
  /** `dma_map_sg` returns the mapped count (or `dma_map_sgtable` stores it in `nents`). */
  | 'map-return'
  /** Write descriptor `cursor` of `pending` into the device's list. */
  | 'post'
  /** Start the device and sleep until its interrupt. */
  | 'doorbell'
  /** Asleep in `wait_event_interruptible_timeout`: the device acts, not the driver. */
  | 'wait'
  /** Woken: unmap the table (`dma_unmap_sg` / `dma_unmap_sgtable`). */
  | 'unmap'
  /** `sg_free_table`, count the chunk as transferred. */
  | 'complete'
  /** Nothing left: the ioctl returns. */
  | 'return'
  /** The ioctl has returned; the run is over. */
  | 'done';

export interface DriverState {
  phase: DriverPhase;
  /** All chunks of the buffer (`splitTransfer(buffer.len, device.maxTransfer)`). */
  chunks: TransferChunk[];
  /** Index of the current chunk; -1 before the first. */
  chunk: number;
  /** The current chunk as a pinned buffer of its own (the pages it touches, its offset in
   *  the first one, its length); null before the first chunk. */
  chunkBuffer: UserBuffer | null;
  /** Position within the phase: the next page, entry or descriptor. */
  cursor: number;
  /** What `dma_map_sg` returned for the current table (`dma_map_sgtable`: `sgt->nents`);
   *  null before mapping returns. */
  mappedCount: number | null;
  /** The IOVA range allocated for the current mapping (IOMMU only), else null. */
  iova: IovaRange | null;
  /** `iommu_dma_map_sg`'s per-entry layout for the current mapping (IOMMU only), else null. */
  layout: IovaLayout[] | null;
  /** `__finalise_sg`'s variables while it runs, else null. */
  finalise: FinaliseCursor | null;
  /** The descriptors the driver will post for the current command. */
  pending: PostedDescriptor[];
  /** Bytes of the buffer transferred by completed commands (the original question's `*transferred`). */
  transferred: number;
}

// ---------------------------------------------------------------------------------------
// Findings

/**
 * Something a careful kernel would complain about. `kind`:
 * - `'unmap-count'`: `dma_unmap_sg` got a count other than the original `nents`; dma-debug
 *   (CONFIG_DMA_API_DEBUG, `check_unmap`) reports it. Consequence in 6.12: only the first
 *   `passed` CPU entries are synced for the CPU (`unsyncedPfns` stay device-owned); the IOVA
 *   range is still found from the DMA fields and freed whole.
 * - `'segment-too-long'`: a mapped entry is longer than `dma_get_max_seg_size`
 *   (CONFIG_DMA_API_DEBUG_SG, `check_sg_segment`): the table was built without the
 *   device's limit.
 * - `'segment-boundary'`: a DMA segment crosses the device's segment boundary
 *   (`check_sg_segment`).
 * - `'stale-iommu-mapping'`: IOMMU page-table entries of a freed IOVA range are still
 *   present after unmap (a device could still reach the frames).
 */
export interface DmaReport {
  kind: 'unmap-count' | 'segment-too-long' | 'segment-boundary' | 'stale-iommu-mapping';
  /** The chunk (command) index it happened in. */
  chunk: number;
  /** The message, in dma-debug's words where it has them (dma-debug prints them after a
   *  `DMA-API: <driver> <device>:` prefix). */
  message: string;
  /** The sg entry concerned, when there is one. */
  entry: number | null;
  /** For `'unmap-count'`: the count passed and the original nents. */
  passed: number | null;
  orig_nents: number | null;
  /** For `'unmap-count'`: frames of the CPU entries left unsynced (still device-owned). */
  unsyncedPfns: number[];
}

// ---------------------------------------------------------------------------------------
// The state

/** A choice: the one actor that can move next. */
export type DmaChoice = { kind: 'driver' } | { kind: 'device' };

/** The whole state (immutable, plain JSON). */
export interface DmaState {
  params: DmaParams;
  /** Steps taken to reach this state. */
  stepIndex: number;
  driver: DriverState;
  /** The current chunk's `sg_table`; null before the first `sg_alloc_table_from_pages_segment`
   *  of a chunk and after `sg_free_table`. */
  sgt: SgTable | null;
  /** The IOMMU (`enabled: false` and empty lists without one). */
  iommu: IommuState;
  device: DeviceState;
  /** Findings so far, oldest first. */
  reports: DmaReport[];
  /** What the last step did (null in the initial state). `actor` is 'driver' or 'device'. */
  event: StepEvent | null;
  /** The last choice taken (null in the initial state). */
  lastChoice: DmaChoice | null;
}
