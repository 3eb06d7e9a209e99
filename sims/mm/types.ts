/**
 * Types of the memory model (`sims/mm/model.ts`): the state contract the views render.
 *
 * One small machine, true to Linux 6.12 on x86-64 with 4 KiB pages:
 * - processes (`Proc`), each an `mm_struct`: VMAs, a 4-level page table (PGD, PUD, PMD,
 *   PTE; 48-bit virtual addresses split 9/9/9/9/12) and its `mmap_lock`;
 * - physical frames (`Frame`), one `struct page` each (order-0 folios only), in two zones:
 *   ZONE_NORMAL (pfn 0 up, the shared zero page at pfn 0) and ZONE_MOVABLE (the rest);
 * - a swap device (`swap`), a driver (`DriverState`) that runs a fixed script of kernel
 *   calls (`pin_user_pages`, `unpin_user_pages_dirty_lock`, the historical
 *   `get_user_pages` / `put_page`, programming the device), a DMA device (`DmaDevice`)
 *   that writes one page per step into physical frames, and the kernel's background work
 *   (compaction moving pages, reclaim swapping them out).
 *
 * Everything is plain JSON (no Map, no class, no undefined in states), so a state can be
 * structured-cloned, stored, compared with `toEqual` and keyed with `JSON.stringify`.
 * Addresses are plain numbers: user addresses are below 2^47, exact in a double.
 */
import type { StepEvent } from '../core/model.ts';

// ---------------------------------------------------------------------------------------
// Parameters

/** VMA protection, as in /proc/PID/maps without the x bit: PROT_NONE, PROT_READ, PROT_READ|PROT_WRITE. */
export type Prot = 'none' | 'r' | 'rw';

/** What backs a VMA: anonymous memory (zero-filled on demand) or a file's page cache. */
export type VmaKind = 'anon' | 'file';

/** One mapping of the first process's address space, as mmap(2) would create it. */
export interface VmaSpec {
  /** First byte, page aligned (a multiple of 4096), below TASK_SIZE_MAX (2^47 - 4096). */
  start: number;
  /** Length in bytes: a positive multiple of 4096. */
  length: number;
  kind: VmaKind;
  prot: Prot;
  /** For `kind: 'file'`: the file's name (its page cache is shared by every mapping of it). */
  file?: string;
  /** For `kind: 'file'`: file offset of `start`, in pages (`vm_pgoff`). Default 0. */
  pgoff?: number;
  /** MAP_SHARED (true) or MAP_PRIVATE (false, the default). Anonymous VMAs are always private. */
  shared?: boolean;
  /** A label for the views, e.g. `'buf'`, `'libc'`. Default: the kind. */
  name?: string;
}

/** A user-space action of one process (a load, a store, or a system call), one step each. */
export type ProcessOp =
  /** Load from `va` (any byte of the page): demand faults as needed, records what it read. */
  | { kind: 'read'; va: number }
  /** Store to `va`: faults as needed; the page's contents become `P<pid>`. */
  | { kind: 'write'; va: number }
  /** fork(2): the child gets the next pid and runs `programs[childPid]`. */
  | { kind: 'fork' }
  /** munmap(2) of `[start, start + length)`; takes `mmap_write_lock`. */
  | { kind: 'munmap'; start: number; length: number }
  /** exit(2): the whole address space is torn down. */
  | { kind: 'exit' };

/**
 * GUP flags, as the kernel's bit values (`include/linux/mm_types.h`, `mm/internal.h`, 6.12):
 * FOLL_WRITE = 0x1, FOLL_GET = 0x2, FOLL_LONGTERM = 0x100, FOLL_PIN = 0x80000. Callers pass
 * FOLL_WRITE and FOLL_LONGTERM; FOLL_PIN and FOLL_GET are internal (passing them is modelled
 * as the kernel's WARN and failure).
 */
export type GupFlags = number;

/** One call the driver makes, in script order. */
export type DriverOp =
  /** `mmap_read_lock(current->mm)`. */
  | { kind: 'mmap_read_lock' }
  /** `mmap_read_unlock(current->mm)`. */
  | { kind: 'mmap_read_unlock' }
  /** `pin_user_pages(start, nr_pages, gup_flags, pages)`: caller holds `mmap_read_lock`. */
  | { kind: 'pin_user_pages'; start: number; nrPages: number; flags: GupFlags }
  /** `pin_user_pages_fast(start, nr_pages, gup_flags, pages)`: no lock needed. */
  | { kind: 'pin_user_pages_fast'; start: number; nrPages: number; flags: GupFlags }
  /** History: `get_user_pages(start, nr_pages, gup_flags, pages)` (FOLL_GET, refcount + 1). */
  | { kind: 'get_user_pages'; start: number; nrPages: number; flags: GupFlags }
  /**
   * The bug: look the PFNs up once (a page-table walk, as /proc/self/pagemap would report)
   * and keep them, holding no reference at all. Faults nothing in.
   */
  | { kind: 'lookup_pfns'; start: number; nrPages: number }
  /** Program the device with the first `npages` entries of `pages` (default: all). */
  | { kind: 'start_dma'; npages?: number }
  /** Wait for the transfer to complete (enabled only once the device has written every page). */
  | { kind: 'wait_dma' }
  /** `unpin_user_pages_dirty_lock(pages, npages, make_dirty)`; `npages` default: the last return value. */
  | { kind: 'unpin_user_pages_dirty_lock'; npages?: number; makeDirty: boolean }
  /** `unpin_user_pages(pages, npages)`; `npages` default: the last return value. */
  | { kind: 'unpin_user_pages'; npages?: number }
  /** History: `set_page_dirty_lock(page)` on the first `npages` entries (default: last return value). */
  | { kind: 'set_page_dirty_lock'; npages?: number }
  /** History: `put_page(page)` on the first `npages` entries (default: last return value). */
  | { kind: 'put_page'; npages?: number };

/** The kernel's background work the scheduler may run. */
export interface KernelSpec {
  /** Compaction may migrate pages (mm/compaction.c + mm/migrate.c). */
  compaction: boolean;
  /** Reclaim may swap anonymous pages out (mm/vmscan.c); needs `swapSlots > 0`. */
  swap: boolean;
  /** At most this many background attempts in a run (0..16): keeps runs finite. */
  maxEvents: number;
}

/** Model parameters (plain JSON). */
export interface MmParams {
  /** Must be 4096 (x86-64 PAGE_SIZE; PAGE_SHIFT 12). */
  pageSize: number;
  /** Physical frames, pfn 0 .. frames-1 (2..64). Page tables live outside them (a simplification). */
  frames: number;
  /** Frames [0, normalFrames) are ZONE_NORMAL (pfn 0 is the zero page), the rest ZONE_MOVABLE. 1..frames. */
  normalFrames: number;
  /** Swap slots (0..64); 0 means no swap device. */
  swapSlots: number;
  /** Process 0's VMAs (1..8), sorted or not; they must not overlap. */
  vmas: VmaSpec[];
  /**
   * `programs[pid]`: the ops process `pid` runs, in order. Process 0 exists from the start;
   * pid 1, 2, … are created by fork in that order. A missing program is empty.
   */
  programs: ProcessOp[][];
  /** The driver's calls, in order. The driver runs in a system call of process 0 (another thread). */
  driver: DriverOp[];
  kernel: KernelSpec;
  /**
   * Sandbox: instead of following `programs`, every live process may read or write any page
   * of its VMAs, fork (up to 3 processes), munmap a whole VMA or (children) exit: for a player
   * where the learner clicks pages. Default false.
   */
  sandbox?: boolean;
}

// ---------------------------------------------------------------------------------------
// State

/** A VMA (`struct vm_area_struct`): `[start, end)` page aligned. */
export interface Vma {
  start: number;
  /** One past the last byte (`vm_end`). */
  end: number;
  kind: VmaKind;
  prot: Prot;
  /** MAP_SHARED. Always false for anonymous VMAs. */
  shared: boolean;
  /** Backing file name (`vm_file`), or null for anonymous memory. */
  file: string | null;
  /** File offset of `start` in pages (`vm_pgoff`); 0 for anonymous VMAs. */
  pgoff: number;
  /** Label for the views. */
  name: string;
  /** The VMA has anonymous pages (`vma->anon_vma` set): fork copies its page tables. */
  anonVma: boolean;
}

/** The four page-table levels, top first. */
export type Level = 'pgd' | 'pud' | 'pmd' | 'pte';

/** An entry of a PGD, PUD or PMD: present, pointing at the next-level table. */
export interface UpperEntry {
  /** Index of the next table in `Proc.pgtables`. */
  table: number;
}

/**
 * A page-table entry (`pte_t`). Absent keys in `PteTable.entries` are `pte_none`. A present
 * PTE maps `pfn`; a non-present one here is always a swap entry (`swap` set).
 */
export interface Pte {
  /** _PAGE_PRESENT. */
  present: boolean;
  /** The frame mapped (present) or null (swap entry). */
  pfn: number | null;
  /** _PAGE_RW: writes allowed without a fault. */
  writable: boolean;
  /** _PAGE_DIRTY: set by the MMU on a write through this PTE. */
  dirty: boolean;
  /** _PAGE_ACCESSED: set by the MMU on any access through this PTE. */
  accessed: boolean;
  /** Swap slot of a swap entry, or null. */
  swap: number | null;
}

/** A PGD, PUD or PMD: 512 entries, stored sparsely by index (0..511). */
export interface UpperTable {
  level: 'pgd' | 'pud' | 'pmd';
  entries: Record<number, UpperEntry>;
}

/** A last-level table: 512 PTEs, stored sparsely by index (0..511). */
export interface PteTable {
  level: 'pte';
  entries: Record<number, Pte>;
}

export type PageTable = UpperTable | PteTable;

/** `mm->mmap_lock`, a reader/writer semaphore. */
export interface MmapLock {
  /** Who holds it for reading across steps (only the driver does; faults take and drop it within a step). */
  readers: string[];
  /** Who holds it for writing. Always null between steps: write sections (fork, munmap) are one step. */
  writer: string | null;
}

/** Where a process is. */
export type ProcStatus = 'running' | 'exited' | 'killed';

/** What a process load returned. */
export interface ReadResult {
  va: number;
  /** The contents marker of the page it read (`Frame.data`). */
  data: string;
}

/** A process: its `mm_struct` and where it is in its program. */
export interface Proc {
  pid: number;
  /** The parent's pid, or null for process 0. */
  parent: number | null;
  status: ProcStatus;
  /** Why the process was killed (`'SIGSEGV'`, `'OOM'`), else null. */
  killedBy: string | null;
  /** Index of the next op in `params.programs[pid]`. */
  pc: number;
  /**
   * The op asleep in `mmap_write_lock` (fork, munmap or exit while the driver holds the read
   * lock), else null. It runs when the process is next scheduled with the lock free.
   */
  waiting: { lock: 'mmap_write_lock'; op: ProcessOp } | null;
  /** VMAs sorted by start. */
  vmas: Vma[];
  /** The page tables; `pgtables[0]` is the PGD (`mm->pgd`). Emptied on exit. */
  pgtables: PageTable[];
  mmapLock: MmapLock;
  /** MMF_HAS_PINNED: some page of this mm was ever pinned with FOLL_PIN. */
  hasPinned: boolean;
  /** Every load the process made, in order. */
  reads: ReadResult[];
}

/** Which zone a frame is in. */
export type Zone = 'normal' | 'movable';

/** What a frame currently holds. */
export type FrameUse = 'free' | 'zero' | 'anon' | 'file';

/** One mapping of a frame by a PTE (the reverse map, rmap). */
export interface FrameMapping {
  pid: number;
  /** The page-aligned virtual address mapped. */
  va: number;
}

/** A physical frame: one `struct page` (an order-0 folio). */
export interface Frame {
  pfn: number;
  zone: Zone;
  use: FrameUse;
  /**
   * `page->_refcount`: one per PTE mapping it (not the zero page), one for the page cache,
   * one per FOLL_GET reference, GUP_PIN_COUNTING_BIAS (1024) per FOLL_PIN pin. 0 when free.
   */
  refcount: number;
  /**
   * Derived, for the views: floor(refcount / 1024), what the bias encodes for an order-0
   * folio. `folio_maybe_dma_pinned()` is `refcount >= 1024`, i.e. `pincount > 0`.
   */
  pincount: number;
  /** The PTEs mapping this frame (rmap; `folio_mapcount` = length). Empty for the zero page. */
  mappings: FrameMapping[];
  /** Page-cache identity (`page->mapping`, `page->index`) for file pages, else null. */
  file: { name: string; index: number } | null;
  /** PageAnonExclusive: an anonymous page mapped by exactly one process, safe to pin. */
  anonExclusive: boolean;
  /** PG_dirty: the data must be written back (file) or to swap (anon) before the frame is reused. */
  dirty: boolean;
  /**
   * What the page contains, as a short marker: `'zero'` (all zero bytes), `'P<pid>'` (last
   * written by process pid), `'DMA<k>'` (written by the device, page k of its transfer),
   * `'<file>#<index>'` (read from a file), `''` (never used). Left as it was when a frame is
   * freed: stale data in free memory, which is where a late DMA write lands.
   */
  data: string;
  /** The device wrote into this frame since it was last allocated (for `checkPins`). */
  dmaWritten: boolean;
}

/** A swap slot holding a page that was swapped out. */
export interface SwapSlot {
  data: string;
  /** swap_map count: swap PTEs referring to the slot (fork shares them). */
  refs: number;
  /** The page was PG_dirty when swapped out (restored on swap-in). */
  dirty: boolean;
}

/** What the driver holds on one pfn, by its own calls (logical counts, zero page included). */
export interface HeldPage {
  /** FOLL_PIN pins taken and not yet released. */
  pins: number;
  /** FOLL_GET references taken and not yet released. */
  refs: number;
}

/** A release the driver made of something it did not hold. */
export interface BadRelease {
  /** The call: `'unpin_user_page'` or `'put_page'`. */
  call: string;
  pfn: number;
  /** Step index at which it happened. */
  step: number;
  /** Why it is wrong, in words. */
  reason: string;
}

/** Pin accounting: the kernel's counters and the driver's own books (for exercise graders). */
export interface PinAccounting {
  /** /proc/vmstat nr_foll_pin_acquired (pins on the zero page are not counted, as in the kernel). */
  pinAcquired: number;
  /** /proc/vmstat nr_foll_pin_released. */
  pinReleased: number;
  /** What the driver holds, by pfn (keys are pfns; entries with both counts 0 are removed). */
  held: Record<number, HeldPage>;
  /** Unpins and put_pages of pages the driver did not hold that way (double releases). */
  badReleases: BadRelease[];
  /** Kernel warnings the driver's calls would trigger (WARN_ON_ONCE, mmap_assert_locked). */
  warnings: string[];
}

/** How the driver holds the pages in its `pages` array. */
export type HoldKind = 'pin' | 'ref' | 'none';

/** The driver: where it is in its script and what its last call returned. */
export interface DriverState {
  /** Index of the next op in `params.driver`. */
  pc: number;
  /** The `struct page **pages` array of the last pin/get/lookup, as pfns (length = pages returned). */
  pages: number[];
  /** How those pages are held, or null before any lookup. */
  hold: HoldKind | null;
  /** Return value of the last pin/get/lookup: pages, 0, or a negative errno. Null before any. */
  ret: number | null;
  /** The driver holds `mmap_read_lock` of process 0. */
  holdsMmapLock: boolean;
}

/**
 * Where a DMA write landed, judged from the process's side:
 * - `'ok'`: the frame is still the one the owner's virtual address maps (or had no owner);
 * - `'orphan'`: the owner unmapped the page itself; only the driver's pin keeps the frame;
 * - `'elsewhere'`: the owner's address now maps another frame (migration, COW after fork,
 *   swap), so the process never sees the data; this frame holds someone else's page or none;
 * - `'freed'`: the frame is free (its page moved or was swapped out): the data is lost;
 * - `'zero-page'`: the frame is the shared zero page (pinned without FOLL_WRITE).
 */
export type DmaOutcome = 'ok' | 'orphan' | 'elsewhere' | 'freed' | 'zero-page';

/** What the device found in a frame when it wrote there. */
export interface DmaWrite {
  /** Index of the page within the transfer. */
  index: number;
  pfn: number;
  data: string;
  outcome: DmaOutcome;
  /** `outcome` is `'ok'` or `'orphan'`: the data went where the driver meant it to. */
  intended: boolean;
}

/** The transfer the device is running. */
export interface DmaTransfer {
  /** Bus addresses, as pfns (no IOMMU: bus address = physical address). */
  pfns: number[];
  /** What each frame held when the transfer started: its first mapping, or null. */
  owners: (FrameMapping | null)[];
  /** Pages written so far (the next write goes to `pfns[done]`). */
  done: number;
}

/** A bus-mastering device that writes into physical memory. */
export interface DmaDevice {
  /** The transfer in flight (or complete, waiting for the driver), or null. */
  transfer: DmaTransfer | null;
  /** Every page write the device made, in order. */
  log: DmaWrite[];
}

/** A choice the scheduler can make: which actor runs, and what it does. */
export type MmChoice =
  /** Process `pid` runs `op` (the next op of its program, or any op in sandbox mode). */
  | { actor: 'process'; pid: number; op: ProcessOp }
  /** The driver makes its next call (`params.driver[driver.pc]`). */
  | { actor: 'driver' }
  /** The device writes the next page of its transfer. */
  | { actor: 'device' }
  /** Compaction tries to migrate the page in frame `pfn`. */
  | { actor: 'kernel'; op: 'compact'; pfn: number }
  /** Reclaim tries to swap out the anonymous page in frame `pfn`. */
  | { actor: 'kernel'; op: 'swap-out'; pfn: number };

/** The whole state (immutable, plain JSON). */
export interface MmState {
  params: MmParams;
  /** Steps taken to reach this state. */
  stepIndex: number;
  /** Processes by pid. */
  procs: Proc[];
  /** Frames by pfn. */
  frames: Frame[];
  /** pfn of the shared zero page (`ZERO_PAGE(0)`): always 0. */
  zeroPfn: number;
  /** Swap slots by index; null when free. */
  swap: (SwapSlot | null)[];
  driver: DriverState;
  device: DmaDevice;
  /** Background attempts left (`params.kernel.maxEvents` at the start). */
  kernelEventsLeft: number;
  acct: PinAccounting;
  /** What the last step did (null in the initial state). */
  event: StepEvent | null;
  /** The last choice taken (null in the initial state). */
  lastChoice: MmChoice | null;
}
