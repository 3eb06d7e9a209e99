/**
 * Types of the caches-and-ownership model (`sims/dma/coherence.ts`): the contract between the
 * engine and the views (cache lines over RAM with valid and dirty marks, the ownership token of
 * each mapping, the swiotlb bounce slots, the device's transfer, the checker's findings next to
 * the call that caused them).
 *
 * The story, on Linux 6.12: a driver hands a buffer to a device with the streaming DMA API
 * (`dma_map_single`, `dma_sync_single_for_cpu` / `_for_device`, `dma_unmap_single`, and the sg
 * equivalents) or shares a coherent allocation with it (`dma_alloc_coherent`). The CPU has a
 * write-back data cache; the device reads and writes RAM. Whether the two agree depends on the
 * platform:
 * - `'coherent-x86'`: the device snoops the CPU cache (`dev_is_dma_coherent()` is true), so the
 *   DMA API does no cache work at all;
 * - `'noncoherent-arm'`: nothing keeps the cache and RAM in step; the DMA API cleans (writes back)
 *   and invalidates cache lines (`arch_sync_dma_for_device` / `arch_sync_dma_for_cpu`), the arm64
 *   way by default or the ARM926 way (the original question's AT91SAM9263 board) with `arch: 'arm926'`;
 * - `'swiotlb'`: a coherent x86 machine whose device can only address low memory, so mappings of
 *   buffers above its reach are bounced through swiotlb slots (`kernel/dma/swiotlb.c`).
 *
 * Units: every address and length is in bytes; RAM is `ramLines` lines of `lineSize` bytes, line
 * `n` holding addresses `n * lineSize .. (n + 1) * lineSize - 1`. Byte values are integers
 * 0..255. Bus addresses (`dma_addr_t`) equal physical addresses (no IOMMU, no `dma_range_map`
 * offset), so a handle is either the buffer's own address or a swiotlb slot's.
 */
import type { StepEvent } from '../core/model.ts';
import type { DmaDirection, Owner } from './types.ts';

// ---------------------------------------------------------------------------------------
// Parameters

/** The platform: who keeps the CPU cache and the device's view of RAM in step. */
export type Platform =
  /** x86: the device snoops the cache; `dev_is_dma_coherent()` is always true (x86 selects no
   *  `ARCH_HAS_SYNC_DMA_FOR_*`), every sync is free of cache work. */
  | 'coherent-x86'
  /** A CPU without a coherent interconnect: arm64 (default) or the ARM926EJ-S of the original question. The DMA API
   *  must clean and invalidate. */
  | 'noncoherent-arm'
  /** x86 (coherent) with swiotlb bounce buffering: the device reaches only `[0, dmaLimit)`;
   *  streaming mappings of buffers above are copied through bounce slots in low memory. */
  | 'swiotlb';

/** Which CPU's cache maintenance `'noncoherent-arm'` models (ignored on other platforms).
 * - `'arm64'` (arch/arm64/mm/dma-mapping.c, 6.12): `arch_sync_dma_for_device` cleans for every
 *   direction (`dcache_clean_poc`); `arch_sync_dma_for_cpu` invalidates unless DMA_TO_DEVICE
 *   (`dcache_inval_poc`, which cleans and invalidates partial lines at the edges). The CPU
 *   may fill cache lines speculatively at any time.
 * - `'arm926'` (arch/arm/mm/dma-mapping.c + proc-arm926.S): at map/for_device, DMA_TO_DEVICE
 *   cleans, DMA_FROM_DEVICE invalidates (cleaning partial edge lines), DMA_BIDIRECTIONAL cleans
 *   and invalidates; at unmap/for_cpu `arm926_dma_unmap_area` does nothing: an ARMv5 core
 *   never loads a line speculatively. */
export type NoncoherentArch = 'arm64' | 'arm926';

/** A line in the cache before the run starts (e.g. left there by earlier code). */
export interface InitialLine {
  /** Line index, 0 .. ramLines - 1; must be cacheable (not in the coherent pool). */
  line: number;
  /** Dirty: `data` differs from RAM and will be written back when evicted. */
  dirty: boolean;
  /** The line's bytes (`lineSize` of them); default: RAM's (and then `dirty` must be false). */
  data?: number[];
}

/** A region of RAM, in bytes: `[addr, addr + size)`, line aligned. */
export interface Region {
  addr: number;
  size: number;
}

/** One CPU operation of the driver routine the model runs (the `program`). Arguments use the
 *  kernel's names and order; handles are concrete `dma_addr_t` values (a routine is recorded
 *  once by the session, and replays identically because allocation never depends on the
 *  cache). `sg` is a scatterlist index: the n-th `sg_init_table` of the program. */
export type CpuOp =
  /** `dma_map_single(dev, cpu_addr, size, dir)` (with `skipCpuSync`: DMA_ATTR_SKIP_CPU_SYNC). */
  | { op: 'dma_map_single'; cpu_addr: number; size: number; dir: DmaDirection; skipCpuSync?: boolean }
  /** `dma_mapping_error(dev, handle)`. */
  | { op: 'dma_mapping_error'; handle: number }
  /** `dma_unmap_single(dev, handle, size, dir)` (with `skipCpuSync`: DMA_ATTR_SKIP_CPU_SYNC). */
  | { op: 'dma_unmap_single'; handle: number; size: number; dir: DmaDirection; skipCpuSync?: boolean }
  /** `dma_sync_single_for_cpu(dev, handle, size, dir)`. */
  | { op: 'dma_sync_single_for_cpu'; handle: number; size: number; dir: DmaDirection }
  /** `dma_sync_single_for_device(dev, handle, size, dir)`. */
  | { op: 'dma_sync_single_for_device'; handle: number; size: number; dir: DmaDirection }
  /** `sg_init_table(sgl, n)` then `sg_set_buf(&sgl[i], buf, len)` for each entry. */
  | { op: 'sg_init_table'; bufs: { buf: number; len: number }[] }
  /** `dma_map_sg(dev, sgl, nents, dir)`. */
  | { op: 'dma_map_sg'; sg: number; nents: number; dir: DmaDirection }
  /** `dma_unmap_sg(dev, sgl, nents, dir)`. */
  | { op: 'dma_unmap_sg'; sg: number; nents: number; dir: DmaDirection }
  /** `dma_sync_sg_for_cpu(dev, sgl, nents, dir)`. */
  | { op: 'dma_sync_sg_for_cpu'; sg: number; nents: number; dir: DmaDirection }
  /** `dma_sync_sg_for_device(dev, sgl, nents, dir)`. */
  | { op: 'dma_sync_sg_for_device'; sg: number; nents: number; dir: DmaDirection }
  /** `dma_alloc_coherent(dev, size, &dma_handle, GFP_KERNEL)`. */
  | { op: 'dma_alloc_coherent'; size: number }
  /** `dma_free_coherent(dev, size, cpu_addr, dma_handle)`. */
  | { op: 'dma_free_coherent'; size: number; cpu_addr: number; handle: number }
  /** The CPU loads `len` bytes from `addr` (through the cache unless the lines are uncached). */
  | { op: 'read'; addr: number; len: number }
  /** The CPU stores `bytes` at `addr`. */
  | { op: 'write'; addr: number; bytes: number[] }
  /** The driver starts the device: `dma: 'write'` the device writes `data` to memory (a
   *  receive), `dma: 'read'` it reads `len` bytes of memory (a transmit), over the bus
   *  address ranges `segs` in order (their lengths add up to the transfer's). */
  | { op: 'start_device'; dma: 'write' | 'read'; segs: { addr: number; len: number }[]; data?: number[] }
  /** The driver sleeps until the device's completion interrupt. */
  | { op: 'wait' };

/** Model parameters (plain JSON). Build them with `coherenceParams` for the defaults. */
export interface CoherenceParams {
  platform: Platform;
  /** Cache maintenance flavour of `'noncoherent-arm'`; ignored elsewhere. */
  arch: NoncoherentArch;
  /** Cache line size in bytes: a power of two from 4 to 64. */
  lineSize: number;
  /** Lines of RAM, 2 .. 32. */
  ramLines: number;
  /** The device addresses `[0, dmaLimit)` (its DMA mask + 1), bytes; a multiple of
   *  `lineSize`, at least one line, at most RAM. */
  dmaLimit: number;
  /** The swiotlb pool (`io_tlb_mem`), inside `[0, dmaLimit)`; required on `'swiotlb'`, null
   *  elsewhere. Its slots are `lineSize` bytes (IO_TLB_SIZE, 2 KiB in the kernel, scaled). */
  swiotlb: Region | null;
  /** Where `dma_alloc_coherent` allocates from, inside `[0, dmaLimit)`; null: allocations fail. */
  coherentPool: Region | null;
  /** Initial RAM, `ramLines * lineSize` bytes. */
  ram: number[];
  /** Lines in the cache at the start. */
  initialCache: InitialLine[];
  /** Whether the cache may evict lines as scheduler choices (`{kind: 'evict', line}`). */
  evictions: boolean;
  /** Whether the CPU may fill lines speculatively (`{kind: 'fill', line}`), for lines of
   *  buffers the device owns (where a fill can matter). Default: arm64 only. */
  speculative: boolean;
  /** The driver routine the CPU runs, one operation a step. */
  program: CpuOp[];
}

// ---------------------------------------------------------------------------------------
// The machine

/** One line of the CPU's data cache. The model's cache can hold every line of RAM at once
 *  (`cache[n]` is line `n`'s slot): lines leave it only through evictions, which are scheduler
 *  choices standing for capacity and conflict misses caused by other code. */
export interface CacheLine {
  /** Address of the line's first byte (`line * lineSize`). */
  addr: number;
  /** The line holds a copy of RAM (perhaps modified). */
  valid: boolean;
  /** The copy was modified and not yet written back. Only valid lines are dirty. */
  dirty: boolean;
  /** The cached bytes (`lineSize` of them) when valid; `[]` when invalid. */
  data: number[];
}

/** RAM and the CPU cache. */
export interface Memory {
  lineSize: number;
  /** Every byte of RAM, `ramLines * lineSize` of them. */
  ram: number[];
  /** One slot per line of RAM. */
  cache: CacheLine[];
  /** Per line: the CPU maps it uncached (a `dma_alloc_coherent` buffer on a non-coherent
   *  platform), so its loads and stores go straight to RAM and the cache never holds it. */
  uncached: boolean[];
}

/** One swiotlb slot (`struct io_tlb_slot`), `lineSize` bytes. */
export interface SwiotlbSlot {
  /** The original buffer address this slot bounces (`orig_addr`), or null when free
   *  (`INVALID_PHYS_ADDR`). */
  orig_addr: number | null;
  /** Bytes of the mapping from this slot on (`alloc_size`); 0 when free. */
  alloc_size: number;
}

/** The swiotlb pool. */
export interface SwiotlbState {
  /** First byte of the pool (`mem->start`). */
  base: number;
  /** Slot size in bytes (the model's IO_TLB_SIZE: one cache line). */
  slotSize: number;
  slots: SwiotlbSlot[];
}

/** Who may touch a mapping's bytes: a streaming mapping belongs to the CPU or to the device
 *  (the token the views move with each call); a coherent allocation to both at once. */
export type MappingOwner = Owner | 'both';

/** dma-debug's kinds of mapping (`type2name` in kernel/dma/debug.c). */
export type MappingType = 'single' | 'scatter-gather' | 'coherent';

/**
 * One DMA mapping as dma-debug records it (`struct dma_debug_entry`), plus ownership. A
 * `dma_map_sg` makes one record per mapped entry, as dma-debug does. Records stay in the list
 * after they are unmapped (`unmapped: true`), so views can show the token's last position.
 */
export interface DmaMapping {
  /** Order of creation, from 0. */
  id: number;
  type: MappingType;
  /** `dma_addr_t` the device uses (`dev_addr`): the buffer's address, a swiotlb slot's, or
   *  the coherent allocation's. */
  handle: number;
  /** The CPU address of the buffer (`paddr`). */
  cpu_addr: number;
  /** Bytes. */
  size: number;
  /** Direction it was mapped with; DMA_BIDIRECTIONAL for coherent allocations. */
  dir: DmaDirection;
  owner: MappingOwner;
  /** Unmapped (or freed). */
  unmapped: boolean;
  /** The handle is a swiotlb slot (the bytes are bounced). */
  bounce: boolean;
  /** `dma_mapping_error` was called on the handle (dma-debug's `MAP_ERR_CHECKED`); only
   *  'single' mappings are checked. */
  mapErrorChecked: boolean;
  /** For 'scatter-gather': the table, the entry, the `nents` passed to `dma_map_sg`
   *  (`sg_call_ents`) and the count it returned (`sg_mapped_ents`). */
  sg: { table: number; entry: number; call_ents: number; mapped_ents: number } | null;
  /** Index of the program operation that made it. */
  pc: number;
}

/** One entry of a model scatterlist (`struct scatterlist`, set with `sg_set_buf`). */
export interface CohSgEntry {
  /** `sg_virt(sg)`: the CPU address of the entry's buffer. */
  cpu_addr: number;
  /** `sg->length`, bytes. */
  length: number;
  /** `sg_dma_address(sg)`; null before the first `dma_map_sg`. Like the kernel, unmapping
   *  leaves the old value in place (see `mapped`). */
  dma_address: number | null;
  /** `sg_dma_len(sg)`; 0 before the first `dma_map_sg`. */
  dma_length: number;
  /** The entry is mapped now. */
  mapped: boolean;
  /** DMA-API ownership of the entry's bytes. */
  owner: Owner;
}

/** A scatterlist made by `sg_init_table`. */
export interface CohSgTable {
  entries: CohSgEntry[];
  /** The entries' count (what `dma_map_sg` and `dma_unmap_sg` must be given). */
  orig_nents: number;
  /** What the last `dma_map_sg` returned (dma-direct: the nents it was given); null before. */
  mapped: number | null;
}

/** What a program operation returned (`results[pc]`). */
export type OpResult =
  | { kind: 'handle'; handle: number }
  | { kind: 'int'; value: number }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'coherent'; cpu_addr: number | null; handle: number | null }
  | { kind: 'sg'; sg: number }
  | { kind: 'none' };

/** One CPU read, kept for the data check. */
export interface CpuRead {
  /** Program index of the read. */
  pc: number;
  addr: number;
  /** What the CPU got. */
  bytes: number[];
  /** What a machine with no cache and no bounce buffers would have given at the same point
   *  of the same schedule (the `ideal` memory). */
  ideal: number[];
}

/** The CPU's side. */
export interface CpuState {
  /** Index of the next program operation; `program.length` means only the teardown is left. */
  pc: number;
  /** `'run'` until the teardown step, then `'done'`. */
  phase: 'run' | 'done';
  /** `results[i]`: what operation `i` returned. */
  results: OpResult[];
  reads: CpuRead[];
}

/** A DMA transfer in flight or done. */
export interface DeviceTransfer {
  /** 'write': the device writes memory (receive); 'read': it reads memory (transmit). */
  dma: 'write' | 'read';
  /** Bus address ranges, in order. */
  segs: { addr: number; len: number }[];
  /** 'write': the bytes it writes; 'read': the bytes read so far. */
  data: number[];
  /** 'read': what it would have read from the ideal memory. 'write': unused (`[]`). */
  ideal: number[];
  /** Bytes done so far. */
  done: number;
  /** Total bytes. */
  len: number;
  /** Program index of the `start_device` that started it. */
  pc: number;
}

/** The device. */
export interface CohDeviceState {
  /** The transfer in flight, or null. The device moves one cache line's worth a step. */
  op: DeviceTransfer | null;
  /** Its completion interrupt is pending (the driver's `wait` consumes it). */
  irq: boolean;
  /** Finished transfers, oldest first. */
  transfers: DeviceTransfer[];
}

// ---------------------------------------------------------------------------------------
// The checker

/** The rules the checker names. `source` in `DEBUG_RULES` says which are dma-debug's
 *  (CONFIG_DMA_API_DEBUG, kernel/dma/debug.c) and which are the simulator's own (it sees
 *  every load, store and bus access; dma-debug does not). */
export type DebugRule =
  /** Simulator: the CPU loaded or stored bytes of a streaming mapping the device owns. */
  | 'cpu-touch-device-owned'
  /** Simulator: the device accessed a bus address with no live mapping (or beyond its mask). */
  | 'device-access-unmapped'
  /** Simulator: the device accessed a mapping the CPU owns (synced for the CPU). */
  | 'device-access-cpu-owned'
  /** dma-debug `check_sync`: "device driver syncs DMA memory with different direction". */
  | 'sync-direction'
  /** dma-debug `check_sync`: "device driver syncs device read-only DMA memory for cpu". */
  | 'sync-read-only-for-cpu'
  /** dma-debug `check_sync`: "device driver syncs device write-only DMA memory to device". */
  | 'sync-write-only-to-device'
  /** dma-debug `check_sync`: no live mapping contains the range synced ("device driver tries
   *  to sync DMA memory it has not allocated"): a wrong handle, a size larger than mapped, or
   *  a sync after unmap. */
  | 'sync-not-mapped'
  /** dma-debug `check_sync`: "device driver syncs DMA sg list with different entry count". */
  | 'sync-sg-count'
  /** dma-debug `check_unmap`: "device driver frees DMA memory with different size". */
  | 'unmap-size'
  /** dma-debug `check_unmap`: "device driver frees DMA memory with different direction". */
  | 'unmap-direction'
  /** dma-debug `check_unmap`: "device driver frees DMA memory with wrong function". */
  | 'unmap-wrong-function'
  /** dma-debug `check_unmap`: "device driver frees DMA memory with different CPU address". */
  | 'free-cpu-address'
  /** dma-debug `check_unmap`: "device driver frees DMA sg list with different entry count",
   *  typically the count `dma_map_sg` returned instead of the original `nents`. */
  | 'unmap-sg-count'
  /** dma-debug `check_unmap` finds nothing at that handle, and it was mapped and unmapped
   *  before: a double unmap ("device driver tries to free DMA memory it has not allocated"). */
  | 'double-unmap'
  /** dma-debug `check_unmap` finds nothing at that handle, never mapped. */
  | 'unmap-not-mapped'
  /** dma-debug `check_unmap`: "device driver failed to check map error". */
  | 'map-error-not-checked'
  /** dma-debug `dma_debug_device_change` at driver unbind: "device driver has pending DMA
   *  allocations while released from device" (a mapping never unmapped). */
  | 'leak';

/** One complaint of the checker, attached to the step whose call caused it. */
export interface Finding {
  rule: DebugRule;
  /** The message: dma-debug's words with its `DMA-API: ` prefix for its rules (the kernel
   *  adds the driver and device names after the prefix), plain words for the simulator's. */
  message: string;
  /** `stepIndex` of the state whose event is the call (or access) that caused it. */
  step: number;
  /** Program index of the call, or of the `start_device` for the device's accesses. */
  pc: number;
  /** The call as the driver wrote it, e.g. `dma_sync_single_for_cpu(dev, 0x40, 32, DMA_TO_DEVICE)`. */
  call: string;
}

// ---------------------------------------------------------------------------------------
// The state

/** A scheduler choice: the CPU runs its next operation, the device moves one line, the cache
 *  evicts a valid line (a dirty one is written back first), or the CPU fills a line
 *  speculatively (arm64 only). */
export type CohChoice = { kind: 'cpu' } | { kind: 'device' } | { kind: 'evict'; line: number } | { kind: 'fill'; line: number };

/** The whole state (immutable, plain JSON). */
export interface CoherenceState {
  params: CoherenceParams;
  /** Steps taken to reach this state. */
  stepIndex: number;
  mem: Memory;
  /** The bounce pool (`'swiotlb'` only), else null. */
  swiotlb: SwiotlbState | null;
  /** dma-debug's records, in creation order (unmapped ones kept). */
  mappings: DmaMapping[];
  /** Scatterlists, in `sg_init_table` order. */
  sgTables: CohSgTable[];
  cpu: CpuState;
  device: CohDeviceState;
  /** The same RAM on an ideal machine (no cache, no bounce buffers, the device writing the
   *  CPU's buffer itself), driven by the same schedule: what "right data" means. */
  ideal: number[];
  /** The checker's findings, oldest first. */
  findings: Finding[];
  /** What the last step did; `actor` is 'cpu', 'device' or 'cache'. Null initially. */
  event: StepEvent | null;
  lastChoice: CohChoice | null;
}
