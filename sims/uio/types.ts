/**
 * Types of the UIO model (`sims/uio/model.ts`): the state contract the views render.
 *
 * One small x86-64 machine on Linux 6.12, 4 KiB pages:
 * - a PCI bus-master device (`PciDevice`) with five registers in BAR0 (DMA_ADDR, DMA_LEN,
 *   CTRL, STATUS, IRQ_ENABLE; offsets in `constants.ts`) that writes data it receives into
 *   memory at the bus address it was given, in chunks, interrupting after each chunk;
 * - either a UIO driver for it (`UioDriver`, `/dev/uio0`: up to MAX_UIO_MAPS = 5 maps, the
 *   interrupt count `event`, open files with the count each last saw, the interrupt line that
 *   a uio_pdrv_genirq-style handler disables and `irqcontrol` re-enables), with no IOMMU
 *   (bus address = physical address); or the device bound to vfio-pci behind an IOMMU
 *   (`Iommu`: IOVA -> pfn mappings made by VFIO_IOMMU_MAP_DMA, and faults);
 * - physical frames (`Frame`) owned by the kernel, process A (the UIO user), process B (an
 *   innocent bystander with data of its own), the driver's DMA buffer, or nobody;
 * - processes A and B (`ProcA`, `ProcB`), each running a fixed script of operations
 *   (`UserOp`, `BystanderOp`), one a step.
 *
 * Units: addresses and lengths in bytes; a pfn counts 4 KiB frames, so frame `n` holds
 * physical bytes `n * 4096 .. n * 4096 + 4095`. Addresses below 2^53 are plain numbers;
 * kernel virtual addresses (0xffff8880_0000_0000 and up) appear only as hex strings.
 * Everything is plain JSON (no Map, class, BigInt or undefined), so a state can be
 * structured-cloned, stored, compared with `toEqual` and keyed with `JSON.stringify`.
 */
import type { StepEvent } from '../core/model.ts';
import type { RegName, UioMemtype } from './constants.ts';

export type { UioMemtype, RegName, Errno } from './constants.ts';

// ---------------------------------------------------------------------------------------
// Parameters

/** What backs a UIO map. */
export type MapBacking =
  /** The device's register BAR (BAR0). memtype PHYS or IOVA. */
  | 'bar'
  /** A `dma_alloc_coherent` buffer of the driver. memtype PHYS (mem->addr = the DMA handle, as
   *  uio_dmem_genirq set it up in 2012) or DMA_COHERENT (mem->addr = the CPU address,
   *  mem->dma_addr = the handle, mapped with dma_mmap_coherent). */
  | 'dma'
  /** Kernel pages of the driver: memtype LOGICAL (linear map, `__get_free_pages`) or VIRTUAL (vmalloc); NONE to show the refusal. */
  | 'kernel';

/** One `struct uio_mem` the driver fills in (`uio_info.mem[index]`). */
export interface UioMapSpec {
  /** `mem->name`, shown in sysfs (at most 32 characters). */
  name: string;
  /** `mem->memtype`. */
  memtype: UioMemtype;
  /** `mem->size` in bytes: 1 .. 65536. 'dma' and 'kernel' maps must be whole pages. */
  size: number;
  backing: MapBacking;
  /**
   * For 'dma' maps: allocated at the first open() and freed at the last release, as
   * uio_dmem_genirq's dynamic regions are (sysfs `addr` shows ~0 while no one has the device
   * open). Default true for 'dma' maps; 'bar' and 'kernel' maps exist from probe.
   */
  dynamic?: boolean;
}

/** How the driver's interrupt handler treats the line. */
export type IrqHandlerKind =
  /** uio_pdrv_genirq / uio_dmem_genirq: the handler disables the line (`disable_irq_nosync`);
   *  user space re-enables it with write(fd, 1) -> irqcontrol -> `enable_irq`. Interrupts
   *  that arrive while it is disabled are held as one pending interrupt (IRQS_PENDING). */
  | 'genirq'
  /** A driver whose handler leaves the line enabled (an MSI needs no acknowledge): every
   *  interrupt is counted, and a slow reader sees the count jump. */
  | 'keep-enabled';

/** The UIO driver bound to the device (ignored in VFIO mode). */
export interface DriverSpec {
  /** The driver has an interrupt (`info->irq` != 0). Without one, read/poll/write give -EIO. */
  irq: boolean;
  irqHandler: IrqHandlerKind;
  /** The driver implements `irqcontrol` (required for 'genirq'); without it write() gives -ENOSYS. */
  irqcontrol: boolean;
  /** `uio_info.mem[]`: 1 .. MAX_UIO_MAPS (5) maps, map N at mmap offset N * 4096. At most one 'bar' map. */
  maps: UioMapSpec[];
}

/** Data the outside world hands the device (an ADC burst, a packet): one armed transfer's worth. */
export interface DeliverySpec {
  /** The bytes: an ASCII string (each char code 0..255) or byte values; 1 .. 16384 bytes. */
  data: string | number[];
  /** Chunks the device writes it in, interrupting after each (1 .. 16). */
  chunks: number;
}

/** A user-space action of process A: one system call or one CPU access, one step each. */
export type UserOp =
  /** open(2). `flags`: O_RDWR etc., O_NONBLOCK (0o4000) honoured. */
  | { op: 'open'; path: string; flags: number }
  /** close(2). */
  | { op: 'close'; fd: number }
  /** mmap(2)(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, offset). */
  | { op: 'mmap'; fd: number; length: number; offset: number }
  /** read(2)(fd, buf, count). */
  | { op: 'read'; fd: number; count: number }
  /** write(2)(fd, &value, count): `value` an s32 (or u32 bit pattern); `count` normally 4. */
  | { op: 'write'; fd: number; value: number; count: number }
  /** poll(2) on one fd with timeout 0 (a check, never sleeps). */
  | { op: 'poll'; fd: number }
  /** A load from a mapped register (32-bit, 64-bit for DMA_ADDR), or a 32-bit load from memory. */
  | { op: 'mmio-read'; va: number }
  /** A store to a mapped register, or a 32-bit store to memory. */
  | { op: 'mmio-write'; va: number; value: number }
  /** CPU loads `length` bytes (1 .. 4096) from `va` (its own memory or a mapped buffer). */
  | { op: 'load'; va: number; length: number }
  /** Reads a sysfs attribute, e.g. `/sys/class/uio/uio0/maps/map1/addr`. */
  | { op: 'sysfs'; path: string }
  /** VFIO mode: VFIO_IOMMU_MAP_DMA (IOMMU_IOAS_MAP with iommufd): pin `[vaddr, vaddr+length)` of A and map it at `iova`. */
  | { op: 'map-dma'; vaddr: number; iova: number; length: number };

/** What process B does: touch its own memory. */
export type BystanderOp =
  /** Load its page `page` (index into B's pages) and note what it finds. */
  | { op: 'read'; page: number }
  /** Store `text` at the start of its page `page`. */
  | { op: 'write'; page: number; text: string }
  /** Touch a new page: a demand fault gives it the lowest free frame, filled with `text`. */
  | { op: 'alloc'; text: string };

/** Model parameters (plain JSON). */
export interface UioParams {
  /** Must be 4096. */
  pageSize: number;
  /** Physical frames of RAM, pfn 0 .. frames-1 (8..64). */
  frames: number;
  /** Frames 0 .. kernelFrames-1 hold the kernel (1 .. frames-4). */
  kernelFrames: number;
  /** Process A's anonymous buffer: the frames of its pages, at USER_BUFFER_VA (1..8 pages). */
  processA: { bufferPfns: number[] };
  /** Process B's pages at USER_BUFFER_VA in its own address space, with their contents (1..8; text at most 64 chars). */
  processB: { pages: { pfn: number; text: string }[] };
  /** 'off': no IOMMU, the device is driven through UIO. 'vfio': the device is bound to vfio-pci behind an IOMMU; /dev/uio0 does not exist. */
  iommu: 'off' | 'vfio';
  driver: DriverSpec;
  /** What the device will receive, in order; each fills one armed transfer. At most 16. */
  deliveries: DeliverySpec[];
  /** Process A's script (at most 128 ops). */
  programA: UserOp[];
  /** Process B's script (at most 32 ops). */
  programB: BystanderOp[];
}

// ---------------------------------------------------------------------------------------
// State

/** The device's registers, as the device holds them. */
export type Registers = Record<RegName, number>;

/** The transfer the device has armed (CTRL.START with a valid length) and is running. */
export interface Transfer {
  /** DMA_ADDR when started: a bus address (physical without an IOMMU, an IOVA with one). */
  busAddr: number;
  /** DMA_LEN when started, bytes. */
  len: number;
  /** Bytes written so far. */
  written: number;
  /** Chunks of the current delivery written so far (0 before the data arrives). */
  chunksDone: number;
}

/** Data waiting at the device's input. */
export interface PendingData {
  /** Byte values 0..255. */
  data: number[];
  chunks: number;
}

/** Where a piece of a DMA write landed. */
export interface DmaTarget {
  pfn: number;
  /** Byte offset in the frame. */
  offset: number;
  length: number;
  /** The frame's owner at the time: 'dma-buffer' and (in VFIO mode) A's pinned pages are the intended targets. */
  owner: FrameOwner;
  /** The IOVA translated (VFIO mode), or null. */
  iova: number | null;
}

/** What happened to one chunk the device tried to write. */
export type DmaOutcome =
  /** Landed in memory meant for it (the DMA buffer, or A's IOMMU-mapped pages). */
  | 'ok'
  /** Landed in RAM that is not the buffer: another process's page, the kernel's, a free frame. */
  | 'stray'
  /** No RAM at that physical address: the write went nowhere and the device saw an error. */
  | 'no-ram'
  /** The IOMMU had no writable mapping for the IOVA: blocked, nothing written. */
  | 'iommu-fault';

/** One chunk write by the device. */
export interface DmaWrite {
  /** Step index of the write. */
  step: number;
  busAddr: number;
  length: number;
  outcome: DmaOutcome;
  /** Where the bytes went (empty for 'no-ram' and 'iommu-fault'). */
  targets: DmaTarget[];
  /** The bytes, as text for the views (printable ASCII, others as '.'). */
  text: string;
}

/** The PCI device. */
export interface PciDevice {
  bdf: string;
  /** BAR0: physical address and size. */
  bar0: { phys: number; size: number };
  regs: Registers;
  /** The armed transfer, or null (STATUS.BUSY mirrors it). */
  transfer: Transfer | null;
  /** Data waiting at the input, oldest first; the head fills the armed transfer. */
  queue: PendingData[];
  /** Interrupts the device has sent (MSI messages). */
  interruptsRaised: number;
  /** Transfers that ended with STATUS.ERR (a bad length, no RAM at the address, an IOMMU fault). */
  errors: number;
  /** Every chunk write, in order. */
  log: DmaWrite[];
}

/** A UIO map as the driver registered it (`struct uio_mem` plus where its memory really is). */
export interface UioMap {
  /** Index N: mmap offset N * 4096, sysfs `maps/mapN`. */
  index: number;
  name: string;
  memtype: UioMemtype;
  /** The `UIO_MEM_*` value (NONE 0, PHYS 1, LOGICAL 2, VIRTUAL 3, IOVA 4, DMA_COHERENT 5). */
  memtypeValue: number;
  backing: MapBacking;
  size: number;
  /** `mem->offs`: always 0 here. */
  offs: number;
  /** What `maps/mapN/addr` prints (`%pa` of `mem->addr`): the BAR's physical address, the DMA
   *  handle (PHYS dma maps), a kernel virtual address (LOGICAL, VIRTUAL, DMA_COHERENT), or
   *  0xffffffffffffffff while a dynamic region is not allocated. */
  addrHex: string;
  /** Physical address of the memory, or null while not allocated. */
  phys: number | null;
  /** The DMA handle the device must be given (dma maps only; = phys without an IOMMU), or null. */
  dmaAddr: number | null;
  /** The frames of the memory (empty for the BAR or while not allocated). */
  pfns: number[];
  allocated: boolean;
  dynamic: boolean;
}

/** The interrupt line and its bookkeeping. */
export interface IrqState {
  /** Whether the line is enabled at the interrupt controller. */
  line: 'enabled' | 'disabled';
  /** An interrupt arrived while the line was disabled (IRQS_PENDING): replayed once by enable_irq. */
  pending: boolean;
  /** Interrupts the handler ran for (each made the count go up by one). */
  handled: number;
  /** Interrupts lost because one was already pending while the line was disabled. */
  merged: number;
}

/** The UIO driver and the `struct uio_device` of /dev/uio0. */
export interface UioDriver {
  name: string;
  version: string;
  /** /dev/uio<minor>. */
  minor: number;
  irq: boolean;
  irqHandler: IrqHandlerKind;
  irqcontrol: boolean;
  maps: UioMap[];
  /** `idev->event`, the interrupt count (an atomic_t: read() returns it as an s32). */
  event: number;
  irqState: IrqState;
  /** Opens not yet released (uio_dmem_genirq's refcnt: dynamic regions live while > 0). */
  openCount: number;
  /** Processes asleep in read() on `idev->wait`. */
  waitQueue: string[];
}

/** An IOVA page mapped by VFIO. */
export interface IommuMapping {
  /** Page-aligned IOVA. */
  iova: number;
  pfn: number;
  read: boolean;
  write: boolean;
}

/** A DMA the IOMMU blocked. */
export interface IommuFault {
  step: number;
  /** The IOVA the device used. */
  iova: number;
  access: 'write';
  /** Why: no mapping at that IOVA, or a read-only one. */
  reason: 'not-mapped' | 'read-only';
}

/** The IOMMU in front of the device. */
export interface Iommu {
  mode: 'off' | 'vfio';
  /** The device's domain, page by page, sorted by IOVA (VFIO mode). */
  mappings: IommuMapping[];
  faults: IommuFault[];
}

/** Who a frame belongs to. */
export type FrameOwner = 'kernel' | 'free' | 'A' | 'B' | 'dma-buffer' | 'kernel-map';

/** A physical frame. */
export interface Frame {
  pfn: number;
  owner: FrameOwner;
  /** The owner's virtual address for this frame (A's or B's page), else null. */
  va: number | null;
  /** A short label for the views: `'B page 0'`, `'uio0 map1'`, `'kernel'`. */
  label: string;
  /** Contents: bytes from offset 0; bytes past the end are zero. At most 4096 long. */
  bytes: number[];
  /** Pinned (VFIO pins the pages it maps). */
  pinned: boolean;
  /** Chunk writes by the device into this frame. */
  dmaWrites: number;
  /** Step of the first device write into it while it belonged to someone it was not meant for (B, the kernel, a free frame), else null. */
  strayDmaStep: number | null;
}

/** One file process A has open (a `struct file`). */
export interface OpenFile {
  /** The fd, or null once closed while an mmap keeps the file alive. */
  fd: number | null;
  path: string;
  kind: 'uio' | 'vfio';
  nonblock: boolean;
  /** `listener->event_count`: the count this file last saw (uio only, else null). */
  eventCount: number | null;
  /** Mappings holding the file. */
  mappings: number;
}

/** One mapping in process A's address space. */
export interface Vma {
  start: number;
  /** One past the last byte. */
  end: number;
  kind: 'anon' | 'uio' | 'vfio-bar';
  /** What the CPU reaches through it: device registers or memory. */
  target: 'regs' | 'memory';
  /** The file's fd when it was mapped (null for anon). */
  fd: number | null;
  /** The UIO map index, or null. */
  mapIndex: number | null;
  /** The frames behind it (memory), in order; empty for registers. */
  pfns: number[];
  /** Page protection: uncached (PHYS, BARs), cached (anon, LOGICAL, VIRTUAL, IOVA), dma_pgprot (DMA_COHERENT). */
  pgprot: 'uncached' | 'cached' | 'dma_pgprot';
  /** How the kernel set it up. */
  how: string;
}

/** One system call or access of A, with what it returned. */
export interface OpResult {
  step: number;
  /** Short label, e.g. `read(3, 4)`. */
  call: string;
  /** The return value (a count, an fd, an address, a register value, poll's revents), or null on error or for loads. */
  ret: number | null;
  errno: string | null;
  /** Text results: sysfs contents, loaded bytes as text. */
  text: string | null;
}

/** Process A: the UIO (or VFIO) user. */
export interface ProcA {
  name: 'A';
  pid: number;
  status: 'running' | 'killed';
  /** Index of the next op of `params.programA`. */
  pc: number;
  files: OpenFile[];
  vmas: Vma[];
  /** Asleep in read(): on which fd, since which step; null when running. */
  blocked: { syscall: 'read'; fd: number; count: number; since: number } | null;
  results: OpResult[];
  /** Values read() returned from a uio fd, with the jump from the value that file saw before. */
  reads: { fd: number; value: number; jump: number }[];
}

/** Process B: owns some pages, does nothing with the device. */
export interface ProcB {
  name: 'B';
  pid: number;
  pc: number;
  /** Its pages: virtual address and frame. */
  pages: { va: number; pfn: number }[];
  /** What it found each time it read a page. */
  reads: { page: number; pfn: number; text: string; corrupted: boolean }[];
}

/** A choice the scheduler can make. */
export type UioChoice =
  /** Process A issues `op` (the next op of its script; the session passes any op). */
  | { actor: 'A'; op: UserOp }
  /** Process A, asleep in read() and woken (the count changed), runs: read() returns. */
  | { actor: 'A'; wake: true }
  /** A signal hits A asleep in read(): read returns -EINTR (sessions use it when nothing can wake A). */
  | { actor: 'A'; signal: true }
  /** Process B runs `op` (its next scripted op). */
  | { actor: 'B'; op: BystanderOp }
  /** The device writes the next chunk of the armed transfer and interrupts. */
  | { actor: 'device' }
  /** Data arrives at the device's input (sessions and graders only; never in `enabled`). */
  | { actor: 'world'; data: number[]; chunks: number };

/** The whole state (immutable, plain JSON). */
export interface UioState {
  params: UioParams;
  /** Steps taken to reach this state. */
  stepIndex: number;
  device: PciDevice;
  /** The UIO driver, or null in VFIO mode (the device is bound to vfio-pci). */
  uio: UioDriver | null;
  iommu: Iommu;
  /** Frames by pfn. */
  frames: Frame[];
  procs: [ProcA, ProcB];
  /** Kernel log lines (dev_warn and fault reports), in order. */
  kernelLog: string[];
  /** What the last step did (null in the initial state). */
  event: StepEvent | null;
  /** The last choice taken (null in the initial state). */
  lastChoice: UioChoice | null;
}
