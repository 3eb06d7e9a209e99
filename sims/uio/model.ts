/**
 * The UIO model: a user-space driver talking to a PCI bus-master through /dev/uio0 (or
 * through VFIO behind an IOMMU), and what the device's DMA does to physical memory.
 *
 * The scheduler picks who acts next (`enabled` lists them):
 * - process A runs the next op of its script (`params.programA`): open, close, mmap, read,
 *   write, poll, a load or store through a mapping (MMIO to the registers, or memory), a
 *   sysfs read, VFIO_IOMMU_MAP_DMA; or, asleep in read() and woken, returns from it;
 * - process B runs the next op of its script (read, write or allocate a page of its own);
 * - the device writes the next chunk of the data waiting at its input into memory at the
 *   bus address of its armed transfer, then interrupts (if IRQ_ENABLE says so).
 *
 * Semantics follow drivers/uio/uio.c of Linux 6.12: `uio_open` records the current count as
 * the file's `event_count`; `uio_read` wants exactly 4 bytes (-EINVAL), returns -EIO without
 * an irq, returns the s32 count at once if it differs from what this file saw (and records
 * it), gives -EAGAIN under O_NONBLOCK, else sleeps until `uio_event_notify`; `uio_write` wants
 * 4 bytes (-EINVAL), -EIO without an irq, -ENOSYS without `irqcontrol`, else calls
 * `irqcontrol(info, value)` and returns 4; `uio_poll` reports POLLIN when the count differs;
 * `uio_mmap` takes map N from offset N * PAGE_SIZE (`uio_find_mem_index`: -EINVAL at or beyond
 * MAX_UIO_MAPS or for a map of size 0), refuses more pages than the map has (-EINVAL), then
 * `uio_mmap_physical` (PHYS, IOVA: -ENODEV if not page aligned, -EINVAL if longer than the
 * map, `remap_pfn_range`), `uio_mmap_logical` (LOGICAL, VIRTUAL: pages by fault) or
 * `uio_mmap_dma_coherent` (DMA_COHERENT: the "highly discouraged" warning, then
 * `dma_mmap_coherent`); NONE gives -EINVAL.
 *
 * Departures from the kernel, and why:
 * 1. One step is one whole operation (a system call, a chunk of DMA with its interrupt and
 *    handler). The hard-irq handler and the IRQ thread (`uio_interrupt_handler`,
 *    `uio_interrupt_thread`) run inside the device's step, before anyone else can act.
 * 2. The interrupt is an edge (MSI-like): one message per chunk. A message that arrives
 *    while the line is disabled is held as one pending interrupt (IRQS_PENDING) and replayed
 *    once by `enable_irq`; further ones are lost (`IrqState.merged`). Level-triggered lines
 *    and lazy disable are not modelled.
 * 3. The UIO driver is one invented PCI driver that combines uio_dmem_genirq's dynamic DMA
 *    regions (allocated with `dma_alloc_coherent` at the first open, freed at the last
 *    release, sysfs `addr` = ~0 in between) with a genirq-style or keep-enabled handler.
 *    `dma_alloc_coherent` takes the lowest run of free frames; without an IOMMU the DMA
 *    handle is the physical address (dma-direct).
 * 4. A DMA chunk is checked whole before it is written: if any page of it has no RAM or no
 *    IOMMU mapping, nothing of it is written (a real device may have written the pages
 *    before the bad one). Physical memory is only `params.frames` frames from address 0.
 * 5. VFIO is reduced to what containment needs: opening /dev/vfio/devices/vfio0 folds the
 *    container or iommufd setup into one step; mmap offset 0 maps BAR0 (region index 0,
 *    VFIO_PCI_INDEX_TO_OFFSET(0) = 0); VFIO_IOMMU_MAP_DMA pins A's pages and maps them at an
 *    IOVA. Interrupts through eventfds (VFIO_DEVICE_SET_IRQS) and read()/write() of VFIO
 *    regions are not modelled: a VFIO user polls STATUS through the mapped BAR.
 * 6. Only process A uses the device; the file's reference held by an mmap is counted, but
 *    there is no munmap; a store or load outside every mapping kills A (SIGSEGV).
 * 7. poll() is one fd asking for POLLIN with timeout 0, and its result is `revents` (not the
 *    count of ready fds). Signals exist only to end a read() nothing can wake (sessions).
 * 8. Process B's new pages take the lowest free frame (no reclaim, no zone or NUMA choice),
 *    which is what lets a freed DMA buffer become B's page in the wrong-address preset.
 * 9. The device's registers and its chunked, interrupt-per-chunk DMA engine are invented
 *    for the lab (`constants.ts`); real devices use descriptor rings, but the address
 *    problem is the same.
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';
import {
  BAR0_PHYS,
  BAR0_SIZE,
  CTRL_START,
  DEVICE_BDF,
  DEVICE_MAX_LEN,
  DMEM_MAP_ERROR,
  ERRNO,
  IRQ_ENABLE_DONE,
  MAX_UIO_MAPS,
  MMAP_BASE,
  MMAP_SLOT,
  O_NONBLOCK,
  PAGE_OFFSET,
  PAGE_SIZE,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  REG,
  REG_NAMES,
  REG_WIDTH,
  STATUS_BUSY,
  STATUS_DONE,
  STATUS_ERR,
  SYSFS_UIO,
  UIO_MEM,
  UIO_MEMTYPES,
  UIO_PATH,
  USER_BUFFER_VA,
  VFIO_PATH,
  VMALLOC_START,
  hex,
  hex64,
  src,
} from './constants.ts';
import type { Errno, RegName } from './constants.ts';
import type {
  BystanderOp,
  DeliverySpec,
  DmaOutcome,
  DmaTarget,
  Frame,
  FrameOwner,
  OpenFile,
  ProcA,
  UioChoice,
  UioDriver,
  UioMap,
  UioMapSpec,
  UioParams,
  UioState,
  UserOp,
  Vma,
} from './types.ts';

export { KERNEL_VERSION } from './constants.ts';

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

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

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

const plural = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`;
const sizeText = (n: number): string => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

function pfnsText(pfns: readonly number[]): string {
  if (pfns.length === 0) return 'no frames';
  if (pfns.length === 1) return `pfn ${pfns[0]}`;
  const contiguous = pfns.every((p, i) => i === 0 || p === pfns[i - 1] + 1);
  return contiguous ? `pfns ${pfns[0]}-${pfns[pfns.length - 1]}` : `pfns ${pfns.join(', ')}`;
}

function deepClone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A mutable copy to build the next state from: frames are copied shallowly (their `bytes` arrays are replaced, never mutated). */
export function draft(s: UioState): UioState {
  const { params, frames, ...rest } = s;
  return { params, frames: frames.map((f) => ({ ...f })), ...deepClone(rest) };
}

function readFrame(f: Frame, offset: number, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(f.bytes[offset + i] ?? 0);
  return out;
}

function writeFrame(f: Frame, offset: number, data: readonly number[]): void {
  const bytes = f.bytes.slice();
  while (bytes.length < offset) bytes.push(0);
  for (let i = 0; i < data.length; i++) bytes[offset + i] = data[i];
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  f.bytes = bytes.slice(0, end);
}

/** Little-endian value of `bytes` (at most 6 bytes, so it stays exact). */
function leValue(bytes: readonly number[]): number {
  let v = 0;
  for (let i = Math.min(bytes.length, 6) - 1; i >= 0; i--) v = v * 256 + bytes[i];
  return v;
}

function leBytes(value: number, width: number): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < width; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

/** Lowest run of `n` free contiguous frames, or null. */
function findFreeRun(frames: readonly Frame[], n: number): number | null {
  for (let start = 0; start + n <= frames.length; start++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = frames[start + i].owner === 'free';
    if (ok) return start;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Parameters.

function validateMapSpec(m: UioMapSpec, i: number): void {
  const w = `driver.maps[${i}]`;
  if (typeof m !== 'object' || m === null) throw new RangeError(`uio params: ${w} must be an object`);
  if (typeof m.name !== 'string' || m.name.length > 32) throw new RangeError(`uio params: ${w}.name must be a string of at most 32 characters`);
  if (!UIO_MEMTYPES.includes(m.memtype)) throw new RangeError(`uio params: ${w}.memtype must be one of ${UIO_MEMTYPES.join(', ')}, got ${JSON.stringify(m.memtype)}`);
  if (!isInt(m.size) || m.size < 1 || m.size > 0x10000) throw new RangeError(`uio params: ${w}.size must be an integer from 1 to 65536 bytes, got ${String(m.size)}`);
  switch (m.backing) {
    case 'bar':
      if (m.memtype !== 'PHYS' && m.memtype !== 'IOVA') throw new RangeError(`uio params: ${w}: a BAR map is UIO_MEM_PHYS or UIO_MEM_IOVA`);
      if (m.size > BAR0_SIZE) throw new RangeError(`uio params: ${w}: BAR0 is only ${BAR0_SIZE} bytes`);
      break;
    case 'dma':
      if (m.memtype !== 'PHYS' && m.memtype !== 'DMA_COHERENT') throw new RangeError(`uio params: ${w}: a DMA buffer map is UIO_MEM_PHYS (uio_dmem_genirq's way) or UIO_MEM_DMA_COHERENT`);
      if (m.size % PAGE_SIZE !== 0) throw new RangeError(`uio params: ${w}: a DMA buffer is whole pages (a multiple of 4096 bytes)`);
      break;
    case 'kernel':
      if (m.memtype !== 'LOGICAL' && m.memtype !== 'VIRTUAL' && m.memtype !== 'NONE') throw new RangeError(`uio params: ${w}: kernel pages are UIO_MEM_LOGICAL or UIO_MEM_VIRTUAL (or NONE)`);
      if (m.size % PAGE_SIZE !== 0) throw new RangeError(`uio params: ${w}: kernel pages are whole pages (a multiple of 4096 bytes)`);
      break;
    default:
      throw new RangeError(`uio params: ${w}.backing must be 'bar', 'dma' or 'kernel', got ${JSON.stringify((m as { backing: unknown }).backing)}`);
  }
  if (m.dynamic !== undefined && typeof m.dynamic !== 'boolean') throw new RangeError(`uio params: ${w}.dynamic must be a boolean`);
  if (m.dynamic && m.backing !== 'dma') throw new RangeError(`uio params: ${w}: only DMA buffer maps can be dynamic`);
}

function checkFd(fd: unknown, where: string): void {
  if (!isInt(fd) || fd < 0 || fd > 1023) throw new RangeError(`uio params: ${where}.fd must be an integer from 0 to 1023`);
}

function checkAddr(v: unknown, where: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!isInt(v) || v < 0 || v > max) throw new RangeError(`uio params: ${where} must be an integer from 0 to ${max}, got ${String(v)}`);
}

/** Checks one op of process A; throws RangeError naming `where`. */
export function validateUserOp(op: UserOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`uio params: ${where} must be an object`);
  switch (op.op) {
    case 'open':
      if (typeof op.path !== 'string' || op.path.length > 128) throw new RangeError(`uio params: ${where}.path must be a string of at most 128 characters`);
      checkAddr(op.flags, `${where}.flags`, 0xffffffff);
      return;
    case 'close':
    case 'poll':
      checkFd(op.fd, where);
      return;
    case 'mmap':
      checkFd(op.fd, where);
      checkAddr(op.length, `${where}.length`, 2 ** 40);
      checkAddr(op.offset, `${where}.offset`);
      return;
    case 'read':
      checkFd(op.fd, where);
      checkAddr(op.count, `${where}.count`, 0x7ffff000);
      return;
    case 'write':
      checkFd(op.fd, where);
      checkAddr(op.count, `${where}.count`, 0x7ffff000);
      if (!isInt(op.value) || op.value < -(2 ** 31) || op.value > 0xffffffff) throw new RangeError(`uio params: ${where}.value must be a 32-bit integer`);
      return;
    case 'mmio-read':
      checkAddr(op.va, `${where}.va`);
      return;
    case 'mmio-write':
      checkAddr(op.va, `${where}.va`);
      checkAddr(op.value, `${where}.value`);
      return;
    case 'load':
      checkAddr(op.va, `${where}.va`);
      if (!isInt(op.length) || op.length < 1 || op.length > MAX_LOAD) throw new RangeError(`uio params: ${where}.length must be an integer from 1 to ${MAX_LOAD}`);
      return;
    case 'sysfs':
      if (typeof op.path !== 'string' || op.path.length > 128) throw new RangeError(`uio params: ${where}.path must be a string of at most 128 characters`);
      return;
    case 'map-dma':
      checkAddr(op.vaddr, `${where}.vaddr`);
      checkAddr(op.iova, `${where}.iova`);
      checkAddr(op.length, `${where}.length`, 2 ** 40);
      return;
    default:
      throw new RangeError(`uio params: ${where}.op ${JSON.stringify((op as { op: unknown }).op)} is not an operation of process A`);
  }
}

function validateBystanderOp(op: BystanderOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`uio params: ${where} must be an object`);
  const text = (t: unknown): void => {
    if (typeof t !== 'string' || t.length > 64) throw new RangeError(`uio params: ${where}.text must be a string of at most 64 characters`);
    toBytes(t, `uio params: ${where}.text`);
  };
  switch (op.op) {
    case 'read':
      checkAddr(op.page, `${where}.page`, MAX_PROC_PAGES * 2);
      return;
    case 'write':
      checkAddr(op.page, `${where}.page`, MAX_PROC_PAGES * 2);
      text(op.text);
      return;
    case 'alloc':
      text(op.text);
      return;
    default:
      throw new RangeError(`uio params: ${where}.op ${JSON.stringify((op as { op: unknown }).op)} is not an operation of process B`);
  }
}

/** Checks one delivery; throws RangeError naming `where`. */
export function validateDelivery(d: DeliverySpec, where: string): void {
  if (typeof d !== 'object' || d === null) throw new RangeError(`uio params: ${where} must be an object`);
  const bytes = toBytes(d.data, `uio params: ${where}.data`);
  if (bytes.length < 1 || bytes.length > MAX_DELIVERY_BYTES) throw new RangeError(`uio params: ${where}.data must hold 1 to ${MAX_DELIVERY_BYTES} bytes`);
  if (!isInt(d.chunks) || d.chunks < 1 || d.chunks > MAX_CHUNKS) throw new RangeError(`uio params: ${where}.chunks must be an integer from 1 to ${MAX_CHUNKS}`);
}

/**
 * Checks `params` and throws `RangeError` naming the first bad field: pageSize 4096; frames
 * 8..64; kernelFrames 1..frames-4; A's 1..8 and B's 1..8 frames distinct, inside RAM and not
 * the kernel's; B's texts at most 64 bytes; 1..MAX_UIO_MAPS (5) maps, at most one BAR map,
 * memtypes that fit their backing; 'genirq' needs irqcontrol; at most 16 deliveries of 1..16384
 * bytes in 1..16 chunks; valid ops (A at most 128, B at most 32).
 */
export function validateParams(params: UioParams): void {
  if (typeof params !== 'object' || params === null) throw new RangeError('uio params: expected an object');
  if (params.pageSize !== PAGE_SIZE) throw new RangeError(`uio params: pageSize must be 4096 (x86-64 PAGE_SIZE), got ${String(params.pageSize)}`);
  if (!isInt(params.frames) || params.frames < 8 || params.frames > MAX_FRAMES) throw new RangeError(`uio params: frames must be an integer from 8 to ${MAX_FRAMES}, got ${String(params.frames)}`);
  if (!isInt(params.kernelFrames) || params.kernelFrames < 1 || params.kernelFrames > params.frames - 4) {
    throw new RangeError(`uio params: kernelFrames must be an integer from 1 to frames - 4 (${params.frames - 4}), got ${String(params.kernelFrames)}`);
  }
  const used = new Set<number>();
  const checkPfn = (pfn: unknown, where: string): void => {
    if (!isInt(pfn) || pfn < params.kernelFrames || pfn >= params.frames) throw new RangeError(`uio params: ${where} must be a pfn from ${params.kernelFrames} to ${params.frames - 1} (not the kernel's), got ${String(pfn)}`);
    if (used.has(pfn)) throw new RangeError(`uio params: ${where}: pfn ${pfn} is used twice`);
    used.add(pfn);
  };
  const a = params.processA;
  if (typeof a !== 'object' || a === null || !Array.isArray(a.bufferPfns) || a.bufferPfns.length < 1 || a.bufferPfns.length > MAX_PROC_PAGES) {
    throw new RangeError(`uio params: processA.bufferPfns must be an array of 1 to ${MAX_PROC_PAGES} pfns`);
  }
  a.bufferPfns.forEach((p, i) => checkPfn(p, `processA.bufferPfns[${i}]`));
  const b = params.processB;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.pages) || b.pages.length < 1 || b.pages.length > MAX_PROC_PAGES) {
    throw new RangeError(`uio params: processB.pages must be an array of 1 to ${MAX_PROC_PAGES} pages`);
  }
  b.pages.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) throw new RangeError(`uio params: processB.pages[${i}] must be an object`);
    checkPfn(p.pfn, `processB.pages[${i}].pfn`);
    if (typeof p.text !== 'string' || p.text.length > 64) throw new RangeError(`uio params: processB.pages[${i}].text must be a string of at most 64 characters`);
    toBytes(p.text, `uio params: processB.pages[${i}].text`);
  });
  if (params.iommu !== 'off' && params.iommu !== 'vfio') throw new RangeError(`uio params: iommu must be 'off' or 'vfio', got ${JSON.stringify(params.iommu)}`);
  const d = params.driver;
  if (typeof d !== 'object' || d === null) throw new RangeError('uio params: driver must be an object');
  if (typeof d.irq !== 'boolean' || typeof d.irqcontrol !== 'boolean') throw new RangeError('uio params: driver.irq and driver.irqcontrol must be booleans');
  if (d.irqHandler !== 'genirq' && d.irqHandler !== 'keep-enabled') throw new RangeError(`uio params: driver.irqHandler must be 'genirq' or 'keep-enabled', got ${JSON.stringify(d.irqHandler)}`);
  if (d.irqHandler === 'genirq' && !d.irqcontrol) throw new RangeError('uio params: a genirq handler disables the line, so the driver must have irqcontrol to re-enable it');
  if (!Array.isArray(d.maps) || d.maps.length < 1) throw new RangeError('uio params: driver.maps must be an array of at least one map');
  if (d.maps.length > MAX_UIO_MAPS) throw new RangeError(`uio params: driver.maps has ${d.maps.length} maps, but uio_info.mem[] has MAX_UIO_MAPS = ${MAX_UIO_MAPS} entries`);
  d.maps.forEach(validateMapSpec);
  if (d.maps.filter((m) => m.backing === 'bar').length > 1) throw new RangeError('uio params: at most one map can be the BAR');
  if (!Array.isArray(params.deliveries) || params.deliveries.length > MAX_DELIVERIES) throw new RangeError(`uio params: deliveries must be an array of at most ${MAX_DELIVERIES}`);
  params.deliveries.forEach((x, i) => validateDelivery(x, `deliveries[${i}]`));
  if (!Array.isArray(params.programA) || params.programA.length > 128) throw new RangeError('uio params: programA must be an array of at most 128 ops');
  params.programA.forEach((op, i) => validateUserOp(op, `programA[${i}]`));
  if (!Array.isArray(params.programB) || params.programB.length > 32) throw new RangeError('uio params: programB must be an array of at most 32 ops');
  params.programB.forEach((op, i) => validateBystanderOp(op, `programB[${i}]`));
}

// ---------------------------------------------------------------------------------------
// The initial state.

/** `addrHex` and addresses of a map whose memory sits at physical `phys`. */
function mapAddresses(m: UioMapSpec, index: number, phys: number | null): Pick<UioMap, 'addrHex' | 'phys' | 'dmaAddr'> {
  if (m.backing === 'bar') return { addrHex: hex64(BAR0_PHYS), phys: BAR0_PHYS, dmaAddr: null };
  if (phys === null) return { addrHex: hex64(DMEM_MAP_ERROR), phys: null, dmaAddr: null };
  if (m.backing === 'dma') {
    // PHYS: mem->addr is the DMA handle (= phys without an IOMMU); DMA_COHERENT: mem->addr is the CPU address.
    const addr = m.memtype === 'PHYS' ? BigInt(phys) : PAGE_OFFSET + BigInt(phys);
    return { addrHex: hex64(addr), phys, dmaAddr: phys };
  }
  const addr = m.memtype === 'VIRTUAL' ? VMALLOC_START + BigInt(index * 0x100000) : PAGE_OFFSET + BigInt(phys);
  return { addrHex: hex64(addr), phys, dmaAddr: null };
}

/** Allocates `map`'s frames (lowest free run) in `s`; returns false when there is no room. */
function allocateMap(s: UioState, map: UioMap, spec: UioMapSpec): boolean {
  const n = Math.ceil(map.size / PAGE_SIZE);
  const start = findFreeRun(s.frames, n);
  if (start === null) return false;
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = s.frames[start + i];
    f.owner = spec.backing === 'dma' ? 'dma-buffer' : 'kernel-map';
    f.va = null;
    f.label = `uio0 map${map.index}`;
    // dma_alloc_coherent returns zeroed memory; the driver's kernel pages hold something of its own.
    f.bytes = spec.backing === 'kernel' ? toBytes(`${spec.name}: driver page ${i}`) : [];
    f.strayDmaStep = null;
    pfns.push(start + i);
  }
  Object.assign(map, mapAddresses(spec, map.index, start * PAGE_SIZE), { pfns, allocated: true });
  return true;
}

function freeMap(s: UioState, map: UioMap): void {
  for (const pfn of map.pfns) {
    const f = s.frames[pfn];
    // The data stays in the freed frame: whoever gets it next sees zeroes only after a clear.
    f.owner = 'free';
    f.va = null;
    f.label = 'free';
    f.pinned = false;
  }
  Object.assign(map, { addrHex: hex64(DMEM_MAP_ERROR), phys: null, dmaAddr: null, pfns: [], allocated: false });
}

/**
 * The first state: the kernel in frames 0..kernelFrames-1, A's buffer and B's pages (with
 * B's texts) where `params` puts them, the driver's static maps allocated (lowest free runs),
 * dynamic DMA regions not yet (sysfs shows ~0), the device idle with every register 0 and
 * `params.deliveries` waiting at its input, A and B before their first op. In VFIO mode
 * there is no UIO driver (`uio` null). Throws `RangeError` on bad params.
 */
export function initialState(params: UioParams): UioState {
  validateParams(params);
  const p = deepClone(params);
  const frames: Frame[] = [];
  for (let pfn = 0; pfn < p.frames; pfn++) {
    const kernel = pfn < p.kernelFrames;
    frames.push({ pfn, owner: kernel ? 'kernel' : 'free', va: null, label: kernel ? 'kernel' : 'free', bytes: [], pinned: false, dmaWrites: 0, strayDmaStep: null });
  }
  p.processA.bufferPfns.forEach((pfn, i) => {
    Object.assign(frames[pfn], { owner: 'A', va: USER_BUFFER_VA + i * PAGE_SIZE, label: `A buf page ${i}` });
  });
  p.processB.pages.forEach((pg, i) => {
    Object.assign(frames[pg.pfn], { owner: 'B', va: USER_BUFFER_VA + i * PAGE_SIZE, label: `B page ${i}`, bytes: toBytes(pg.text) });
  });
  const nA = p.processA.bufferPfns.length;
  const procA: ProcA = {
    name: 'A',
    pid: 1000,
    status: 'running',
    pc: 0,
    files: [],
    vmas: [
      {
        start: USER_BUFFER_VA,
        end: USER_BUFFER_VA + nA * PAGE_SIZE,
        kind: 'anon',
        target: 'memory',
        fd: null,
        mapIndex: null,
        pfns: [...p.processA.bufferPfns],
        pgprot: 'cached',
        how: 'anonymous memory (its malloc)',
      },
    ],
    blocked: null,
    results: [],
    reads: [],
  };
  const state: UioState = {
    params: p,
    stepIndex: 0,
    device: {
      bdf: DEVICE_BDF,
      bar0: { phys: BAR0_PHYS, size: BAR0_SIZE },
      regs: { DMA_ADDR: 0, DMA_LEN: 0, CTRL: 0, STATUS: 0, IRQ_ENABLE: 0 },
      transfer: null,
      queue: p.deliveries.map((x) => ({ data: toBytes(x.data), chunks: x.chunks })),
      interruptsRaised: 0,
      errors: 0,
      log: [],
    },
    uio: null,
    iommu: { mode: p.iommu, mappings: [], faults: [] },
    frames,
    procs: [procA, { name: 'B', pid: 1001, pc: 0, pages: p.processB.pages.map((pg, i) => ({ va: USER_BUFFER_VA + i * PAGE_SIZE, pfn: pg.pfn })), reads: [] }],
    kernelLog: [],
    event: null,
    lastChoice: null,
  };
  if (p.iommu === 'off') {
    const uio: UioDriver = {
      name: 'dpl_uio',
      version: '1.0',
      minor: 0,
      irq: p.driver.irq,
      irqHandler: p.driver.irqHandler,
      irqcontrol: p.driver.irqcontrol,
      maps: p.driver.maps.map((m, index) => ({
        index,
        name: m.name,
        memtype: m.memtype,
        memtypeValue: UIO_MEM[m.memtype],
        backing: m.backing,
        size: m.size,
        offs: 0,
        ...mapAddresses(m, index, null),
        pfns: [],
        allocated: m.backing === 'bar',
        dynamic: m.backing === 'dma' && m.dynamic !== false,
      })),
      event: 0,
      irqState: { line: 'enabled', pending: false, handled: 0, merged: 0 },
      openCount: 0,
      waitQueue: [],
    };
    state.uio = uio;
    uio.maps.forEach((map, i) => {
      if (map.backing !== 'bar' && !map.dynamic && !allocateMap(state, map, p.driver.maps[i])) {
        throw new RangeError(`uio params: no room for map ${i} (${sizeText(map.size)}) in free memory`);
      }
    });
  }
  return state;
}

// ---------------------------------------------------------------------------------------
// Process A.

interface Outcome {
  narration: string;
  source: KernelSource | null;
}

/** What one op of A returned: `OpResult` fields, plus the bytes of a load (not kept in the state). */
export interface Ret {
  ret: number | null;
  errno: Errno | null;
  text: string | null;
  bytes?: number[];
}

function fail(e: Errno): Ret {
  return { ret: null, errno: e, text: null };
}
function ok(ret: number | null, text: string | null = null): Ret {
  return { ret, errno: null, text };
}

/** `open("/dev/uio0", O_RDWR|O_NONBLOCK)`-style label of an op. */
export function opLabel(op: UserOp): string {
  switch (op.op) {
    case 'open': {
      const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_RDWR'][op.flags & 3];
      return `open("${op.path}", ${acc}${op.flags & O_NONBLOCK ? '|O_NONBLOCK' : ''})`;
    }
    case 'close':
      return `close(${op.fd})`;
    case 'mmap':
      return `mmap(NULL, ${op.length}, PROT_READ|PROT_WRITE, MAP_SHARED, ${op.fd}, ${hex(op.offset)})`;
    case 'read':
      return `read(${op.fd}, &count, ${op.count})`;
    case 'write':
      return `write(${op.fd}, &(s32){${op.value | 0}}, ${op.count})`;
    case 'poll':
      return `poll({fd ${op.fd}, POLLIN}, 1, 0)`;
    case 'mmio-read':
      return `load from ${hex(op.va)}`;
    case 'mmio-write':
      return `store ${hex(op.value)} to ${hex(op.va)}`;
    case 'load':
      return `read ${op.length} bytes at ${hex(op.va)}`;
    case 'sysfs':
      return `cat ${op.path}`;
    case 'map-dma':
      return `VFIO_IOMMU_MAP_DMA(vaddr ${hex(op.vaddr)}, iova ${hex(op.iova)}, size ${hex(op.length)})`;
  }
}

function fileByFd(a: ProcA, fd: number): OpenFile | undefined {
  return a.files.find((f) => f.fd === fd);
}

function lowestFreeFd(a: ProcA): number {
  for (let fd = 3; ; fd++) if (!a.files.some((f) => f.fd === fd)) return fd;
}

function vmaAt(a: ProcA, va: number, len: number): Vma | null {
  return a.vmas.find((v) => va >= v.start && va + len <= v.end) ?? null;
}

/** The register at BAR0 + `offset`, if one starts exactly there. */
function regAt(offset: number): RegName | null {
  return REG_NAMES.find((r) => REG[r] === offset) ?? null;
}

/** The value a read of register `r` returns (STATUS includes BUSY; CTRL reads 0). */
export function readReg(s: UioState, r: RegName): number {
  const regs = s.device.regs;
  if (r === 'STATUS') return (regs.STATUS & ~STATUS_BUSY) | (s.device.transfer ? STATUS_BUSY : 0);
  if (r === 'CTRL') return 0;
  return regs[r];
}

function statusText(st: number): string {
  const bits: string[] = [];
  if (st & STATUS_DONE) bits.push('DONE');
  if (st & STATUS_ERR) bits.push('ERR');
  if (st & STATUS_BUSY) bits.push('BUSY');
  return bits.length ? bits.join('|') : '0';
}

/** Bytes of the register block as a CPU byte load would see them (little-endian). */
function regBytes(s: UioState, offset: number, length: number): number[] {
  const block: number[] = new Array(0x20).fill(0);
  for (const r of REG_NAMES) leBytes(readReg(s, r), REG_WIDTH[r]).forEach((b, i) => (block[REG[r] + i] = b));
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(block[offset + i] ?? 0);
  return out;
}

/** Bytes a CPU load of `length` bytes at `va` in memory-vma `v` returns. */
function memLoad(s: UioState, v: Vma, va: number, length: number): number[] {
  const out: number[] = [];
  let off = va - v.start;
  let left = length;
  while (left > 0) {
    const page = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(left, PAGE_SIZE - inPage);
    out.push(...readFrame(s.frames[v.pfns[page]], inPage, n));
    off += n;
    left -= n;
  }
  return out;
}

function memStore(s: UioState, v: Vma, va: number, data: readonly number[]): void {
  let off = va - v.start;
  let i = 0;
  while (i < data.length) {
    const page = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(data.length - i, PAGE_SIZE - inPage);
    writeFrame(s.frames[v.pfns[page]], inPage, data.slice(i, i + n));
    off += n;
    i += n;
  }
}

function killA(s: UioState, va: number, what: string): Outcome {
  s.procs[0].status = 'killed';
  return {
    narration: `Process A ${what} ${hex(va)}, where nothing is mapped: the MMU faults and the kernel kills A with SIGSEGV.`,
    source: null,
  };
}

/** The handler runs for one interrupt: the count goes up (waking a sleeping reader); genirq disables the line. */
function runHandler(s: UioState): string {
  const u = s.uio as UioDriver;
  const wasWoken = aWoken(s);
  u.irqState.handled += 1;
  u.event = (u.event + 1) | 0;
  const off = u.irqHandler === 'genirq';
  if (off) u.irqState.line = 'disabled';
  const wake = aWoken(s) ? (wasWoken ? ' (A is already awake but has not run yet)' : ' and wakes process A') : '';
  return `${off ? 'the handler disables the line (disable_irq_nosync) and ' : ''}uio_event_notify raises the count to ${u.event}${wake}`;
}

/** The device sends one interrupt; returns what happened, in words, and the source to cite. */
function raiseInterrupt(s: UioState): Outcome {
  if (!(s.device.regs.IRQ_ENABLE & IRQ_ENABLE_DONE)) return { narration: 'IRQ_ENABLE is 0, so the device sends no interrupt', source: null };
  s.device.interruptsRaised += 1;
  const u = s.uio;
  if (!u) return { narration: 'its MSI would go to an eventfd set with VFIO_DEVICE_SET_IRQS (not modelled)', source: null };
  if (!u.irq) return { narration: 'but the driver registered no interrupt, so nothing counts it', source: null };
  if (u.irqState.line === 'enabled') return { narration: `it interrupts: ${runHandler(s)}`, source: SRC.uioEventNotify };
  if (!u.irqState.pending) {
    u.irqState.pending = true;
    return { narration: 'it interrupts, but the line is disabled, so the interrupt is held as pending (IRQS_PENDING) and the count stays at ' + u.event, source: SRC.handleEdgeIrq };
  }
  u.irqState.merged += 1;
  return {
    narration: `it interrupts, but the line is disabled and one interrupt is already pending, so this one is lost: the count (${u.event}) will never show it`,
    source: SRC.handleEdgeIrq,
  };
}

function irqcontrolSource(u: UioDriver): KernelSource {
  if (u.irqHandler !== 'genirq') return SRC.uioWrite;
  return u.maps.some((m) => m.dynamic) ? SRC.dmemIrqcontrol : SRC.pdrvIrqcontrol;
}

function doOpen(s: UioState, op: Extract<UserOp, { op: 'open' }>): Outcome & Ret {
  const a = s.procs[0];
  const nonblock = (op.flags & O_NONBLOCK) !== 0;
  if (op.path === UIO_PATH && s.uio) {
    const u = s.uio;
    const fd = lowestFreeFd(a);
    a.files.push({ fd, path: op.path, kind: 'uio', nonblock, eventCount: u.event, mappings: 0 });
    u.openCount += 1;
    let alloc = '';
    let source = SRC.uioOpen;
    if (u.openCount === 1) {
      const made: string[] = [];
      u.maps.forEach((m, i) => {
        if (!m.dynamic) return;
        source = SRC.dmemOpen;
        if (allocateMap(s, m, s.params.driver.maps[i])) made.push(`map ${i} (${sizeText(m.size)} at bus address ${hex(m.dmaAddr as number)}, ${pfnsText(m.pfns)})`);
        else made.push(`map ${i} fails for lack of free memory (sysfs addr stays ~0)`);
      });
      if (made.length) alloc = `, and the driver's open allocates its DMA ${made.length === 1 ? 'region' : 'regions'} with dma_alloc_coherent: ${made.join('; ')}`;
    }
    return {
      ...ok(fd),
      narration: `Process A opens ${op.path} as fd ${fd}${nonblock ? ' with O_NONBLOCK' : ''}: uio_open records the current count (${u.event}) as what this file has seen${alloc}.`,
      source,
    };
  }
  if (op.path === VFIO_PATH && s.params.iommu === 'vfio') {
    const fd = lowestFreeFd(a);
    a.files.push({ fd, path: op.path, kind: 'vfio', nonblock, eventCount: null, mappings: 0 });
    return {
      ...ok(fd),
      narration: `Process A opens ${op.path} as fd ${fd}: the device is bound to vfio-pci, and its DMA goes through an IOMMU domain that A fills (the model folds the container or iommufd setup into this step).`,
      source: SRC.vfioCdevOpen,
    };
  }
  const why =
    op.path === UIO_PATH ? 'the device is bound to vfio-pci, not to a UIO driver, so there is no /dev/uio0' : op.path === VFIO_PATH ? 'the device is bound to a UIO driver, not to vfio-pci' : 'no such file';
  return { ...fail('ENOENT'), narration: `Process A tries to open ${op.path}: -ENOENT, ${why}.`, source: null };
}

/** Releases `file` (its last reference is gone). */
function release(s: UioState, file: OpenFile): { text: string; source: KernelSource } {
  const a = s.procs[0];
  a.files = a.files.filter((f) => f !== file);
  if (file.kind !== 'uio' || !s.uio) return { text: 'the VFIO device file is released', source: SRC.uioRelease };
  const u = s.uio;
  u.openCount -= 1;
  if (u.openCount > 0) return { text: 'uio_release runs; another open keeps the DMA regions', source: SRC.uioRelease };
  const freed = u.maps.filter((m) => m.dynamic && m.allocated);
  if (freed.length === 0) return { text: 'uio_release runs', source: SRC.uioRelease };
  const what = freed.map((m) => `map ${m.index} (${pfnsText(m.pfns)})`).join(', ');
  for (const m of freed) freeMap(s, m);
  return { text: `uio_release runs and, as no one has the device open any more, the driver frees its DMA region ${what} with dma_free_coherent; sysfs addr now shows ~0`, source: SRC.dmemRelease };
}

function doClose(s: UioState, op: Extract<UserOp, { op: 'close' }>): Outcome & Ret {
  const a = s.procs[0];
  const f = fileByFd(a, op.fd);
  if (!f) return { ...fail('EBADF'), narration: `Process A calls close(${op.fd}): -EBADF, no such fd.`, source: null };
  f.fd = null;
  if (f.mappings > 0) {
    return { ...ok(0), narration: `Process A closes fd ${op.fd}; its ${plural(f.mappings, 'mapping')} still ${f.mappings === 1 ? 'holds' : 'hold'} the file, so the driver's release does not run yet.`, source: null };
  }
  const r = release(s, f);
  return { ...ok(0), narration: `Process A closes fd ${op.fd}: ${r.text}.`, source: r.source };
}

function addVma(s: UioState, v: Omit<Vma, 'start' | 'end'>, pages: number): number {
  const a = s.procs[0];
  const slot = a.vmas.filter((x) => x.kind !== 'anon').length;
  const start = MMAP_BASE + slot * MMAP_SLOT;
  a.vmas.push({ start, end: start + pages * PAGE_SIZE, ...v });
  return start;
}

function doMmap(s: UioState, op: Extract<UserOp, { op: 'mmap' }>): Outcome & Ret {
  const a = s.procs[0];
  const f = fileByFd(a, op.fd);
  const head = `Process A calls mmap(fd ${op.fd}, ${op.length}, offset ${hex(op.offset)})`;
  if (!f) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (op.length === 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, a mapping of length 0.`, source: SRC.doMmap };
  if (op.offset % PAGE_SIZE !== 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, the offset is not a multiple of the page size (4096).`, source: SRC.sysMmap };
  const pages = Math.ceil(op.length / PAGE_SIZE);
  const bytes = pages * PAGE_SIZE;
  if (f.kind === 'vfio') {
    const index = Math.floor(op.offset / 2 ** VFIO_PCI_OFFSET_SHIFT);
    const within = op.offset % 2 ** VFIO_PCI_OFFSET_SHIFT;
    if (index !== 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, region index ${index} is not modelled (only BAR0, index 0).`, source: SRC.vfioPciMmap };
    if (within + bytes > BAR0_SIZE) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, BAR0 is only ${BAR0_SIZE} bytes.`, source: SRC.vfioPciMmap };
    const va = addVma(s, { kind: 'vfio-bar', target: 'regs', fd: op.fd, mapIndex: null, pfns: [], pgprot: 'uncached', how: 'vfio_pci_core_mmap: BAR0, uncached' }, pages);
    f.mappings += 1;
    return { ...ok(va), narration: `${head}: offset 0 is region index 0, BAR0, so vfio-pci maps the device's registers uncached at ${hex(va)}.`, source: SRC.vfioPciMmap };
  }
  const u = s.uio as UioDriver;
  const n = op.offset / PAGE_SIZE;
  const map = n < MAX_UIO_MAPS ? u.maps[n] : undefined;
  if (!map) {
    const why = n >= MAX_UIO_MAPS ? `map ${n} is at or beyond MAX_UIO_MAPS (${MAX_UIO_MAPS})` : `the driver has no map ${n} (its size is 0)`;
    return { ...fail('EINVAL'), narration: `${head}: offset ${hex(op.offset)} asks for map ${n} (${hex(op.offset)} / 4096), but ${why}: uio_find_mem_index fails and uio_mmap returns -EINVAL.`, source: SRC.uioFindMemIndex };
  }
  const actualPages = Math.ceil(map.size / PAGE_SIZE);
  if (pages > actualPages) {
    return { ...fail('EINVAL'), narration: `${head}: ${plural(pages, 'page')} asked of map ${n}, which has ${plural(actualPages, 'page')}: uio_mmap returns -EINVAL.`, source: SRC.uioMmap };
  }
  const which = `map ${n} ("${map.name}", UIO_MEM_${map.memtype})`;
  switch (map.memtype) {
    case 'PHYS':
    case 'IOVA': {
      if (!map.allocated) return { ...fail('ENODEV'), narration: `${head}: ${which} has no memory (addr ~0 is not page aligned): -ENODEV.`, source: SRC.uioMmapPhysical };
      if (bytes > map.size) return { ...fail('EINVAL'), narration: `${head}: ${bytes} bytes is more than the ${map.size} bytes of ${which}: uio_mmap_physical returns -EINVAL.`, source: SRC.uioMmapPhysical };
      const cached = map.memtype === 'IOVA';
      if (map.backing === 'bar') {
        const va = addVma(s, { kind: 'uio', target: 'regs', fd: op.fd, mapIndex: n, pfns: [], pgprot: cached ? 'cached' : 'uncached', how: `uio_mmap_physical: remap_pfn_range of BAR0, ${cached ? 'cached' : 'uncached'}` }, pages);
        f.mappings += 1;
        return { ...ok(va), narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_physical maps BAR0 (physical ${hex(BAR0_PHYS)}) ${cached ? 'cached' : 'uncached'} at ${hex(va)} with remap_pfn_range.`, source: SRC.uioMmapPhysical };
      }
      const pfns = map.pfns.slice(0, pages);
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: cached ? 'cached' : 'uncached', how: 'uio_mmap_physical: remap_pfn_range(mem->addr >> PAGE_SHIFT)' }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_physical treats mem->addr (${map.addrHex}, the DMA handle) as a physical address and maps ${pfnsText(pfns)} ${cached ? 'cached' : 'uncached'} at ${hex(va)}: right here only because, without an IOMMU, the DMA handle is the physical address.`,
        source: SRC.uioMmapPhysical,
      };
    }
    case 'LOGICAL':
    case 'VIRTUAL': {
      const pfns = map.pfns.slice(0, pages);
      const lookup = map.memtype === 'LOGICAL' ? 'virt_to_page' : 'vmalloc_to_page';
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: 'cached', how: `uio_mmap_logical: pages inserted on fault by uio_vma_fault (${lookup})` }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_logical installs a fault handler at ${hex(va)}, and each page (${pfnsText(pfns)}) is found with ${lookup} when A first touches it.`,
        source: SRC.uioMmapLogical,
      };
    }
    case 'DMA_COHERENT': {
      if (!map.allocated) return { ...fail('ENODEV'), narration: `${head}: ${which} has no buffer: -ENODEV.`, source: SRC.uioMmapDmaCoherent };
      if (bytes > map.size) return { ...fail('EINVAL'), narration: `${head}: ${bytes} bytes is more than the ${map.size} bytes of ${which}: -EINVAL.`, source: SRC.uioMmapDmaCoherent };
      s.kernelLog.push(`${u.name} ${DEVICE_BDF}: use of UIO_MEM_DMA_COHERENT is highly discouraged`);
      const pfns = map.pfns.slice(0, pages);
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: 'dma_pgprot', how: 'uio_mmap_dma_coherent: dma_mmap_coherent' }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; the kernel logs "use of UIO_MEM_DMA_COHERENT is highly discouraged", clears vm_pgoff and lets dma_mmap_coherent map ${pfnsText(pfns)} at ${hex(va)} with the page protection the DMA layer chooses.`,
        source: SRC.uioMmapDmaCoherent,
      };
    }
    case 'NONE':
      return { ...fail('EINVAL'), narration: `${head}: ${which} has memtype UIO_MEM_NONE, which uio_mmap refuses with -EINVAL.`, source: SRC.uioMmap };
  }
}

function uioFile(s: UioState, fd: number): OpenFile | undefined {
  const f = fileByFd(s.procs[0], fd);
  return f && f.kind === 'uio' && s.uio ? f : undefined;
}

/** Completes a read on uio file `f`: returns the count as an s32 and records it. */
function finishRead(s: UioState, f: OpenFile, fd: number): { value: number; jump: number } {
  const u = s.uio as UioDriver;
  const prev = f.eventCount as number;
  const value = u.event | 0;
  f.eventCount = u.event;
  const jump = (value - prev) | 0;
  s.procs[0].reads.push({ fd, value, jump });
  return { value, jump };
}

function jumpText(prev: number, value: number, jump: number): string {
  if (jump === 1) return `one more than the ${prev} this file saw before: no interrupt missed`;
  return `${jump} more than the ${prev} this file saw before: ${plural(jump - 1, 'interrupt')} came and went unseen`;
}

function doRead(s: UioState, op: Extract<UserOp, { op: 'read' }>): Outcome & Ret {
  const a = s.procs[0];
  const head = `Process A calls read(${op.fd}, &count, ${op.count})`;
  const any = fileByFd(a, op.fd);
  if (!any) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (any.kind === 'vfio') return { ...fail('EINVAL'), narration: `${head}: reading VFIO regions through read() is not modelled (VFIO interrupts come through eventfds, not a count): -EINVAL.`, source: null };
  const f = any;
  const u = s.uio as UioDriver;
  if (op.count !== 4) return { ...fail('EINVAL'), narration: `${head}: uio_read accepts only count == sizeof(s32) == 4, so it returns -EINVAL.`, source: SRC.uioRead };
  if (!u.irq) return { ...fail('EIO'), narration: `${head}: the driver has no interrupt, so uio_read returns -EIO.`, source: SRC.uioRead };
  if (u.event !== f.eventCount) {
    const prev = f.eventCount as number;
    const { value, jump } = finishRead(s, f, op.fd);
    return { ...ok(value), narration: `${head}: the count is ${value}, ${jumpText(prev, value, jump)}, so read returns at once with 4 bytes and the file now remembers ${value}.`, source: SRC.uioRead };
  }
  if (f.nonblock) return { ...fail('EAGAIN'), narration: `${head}: the count is still ${u.event}, what this file saw last, and the file is O_NONBLOCK: -EAGAIN.`, source: SRC.uioRead };
  a.blocked = { syscall: 'read', fd: op.fd, count: op.count, since: s.stepIndex + 1 };
  u.waitQueue.push('A');
  return { ret: null, errno: null, text: null, narration: `${head}: the count is still ${u.event}, what this file saw last, so uio_read puts A to sleep on the device's wait queue until an interrupt.`, source: SRC.uioRead };
}

function doWrite(s: UioState, op: Extract<UserOp, { op: 'write' }>): Outcome & Ret {
  const v = op.value | 0;
  const head = `Process A calls write(${op.fd}, &(s32){${v}}, ${op.count})`;
  const any = fileByFd(s.procs[0], op.fd);
  if (!any) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (any.kind === 'vfio') return { ...fail('EINVAL'), narration: `${head}: writing VFIO regions through write() is not modelled: -EINVAL.`, source: null };
  const u = s.uio as UioDriver;
  if (op.count !== 4) return { ...fail('EINVAL'), narration: `${head}: uio_write accepts only count == 4: -EINVAL.`, source: SRC.uioWrite };
  if (!u.irq) return { ...fail('EIO'), narration: `${head}: the driver has no interrupt: -EIO.`, source: SRC.uioWrite };
  if (!u.irqcontrol) return { ...fail('ENOSYS'), narration: `${head}: the driver has no irqcontrol, so uio_write returns -ENOSYS.`, source: SRC.uioWrite };
  const st = u.irqState;
  const source = irqcontrolSource(u);
  if (v !== 0) {
    if (st.line === 'enabled') return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) finds the line already enabled and leaves it (no second enable_irq to unbalance the depth); write returns 4.`, source };
    st.line = 'enabled';
    if (st.pending) {
      st.pending = false;
      const h = runHandler(s);
      return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) calls enable_irq, which replays the interrupt that came while the line was disabled: ${h}; write returns 4.`, source };
    }
    return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) calls enable_irq, so the next interrupt will be counted; write returns 4.`, source };
  }
  if (st.line === 'disabled') return { ...ok(4), narration: `${head}: irqcontrol(info, 0) finds the line already disabled; write returns 4.`, source };
  st.line = 'disabled';
  return { ...ok(4), narration: `${head}: irqcontrol(info, 0) disables the line; write returns 4.`, source };
}

function doPoll(s: UioState, op: Extract<UserOp, { op: 'poll' }>): Outcome & Ret {
  const head = `Process A polls fd ${op.fd} for POLLIN with timeout 0`;
  const any = fileByFd(s.procs[0], op.fd);
  if (!any) return { ...ok(POLLNVAL), narration: `${head}: no such fd, so poll reports POLLNVAL in revents.`, source: null };
  const f = uioFile(s, op.fd);
  if (!f) return { ...fail('EINVAL'), narration: `${head}: polling the VFIO device fd is not modelled: -EINVAL.`, source: null };
  const u = s.uio as UioDriver;
  if (!u.irq) {
    return { ...ok(POLLIN | POLLERR | POLLHUP), narration: `${head}: the driver has no interrupt, so uio_poll returns -EIO, which poll(2) sees as a mask: revents POLLIN|POLLERR|POLLHUP.`, source: SRC.uioPoll };
  }
  if (u.event !== f.eventCount) return { ...ok(POLLIN), narration: `${head}: the count (${u.event}) differs from what this file saw (${f.eventCount}), so uio_poll reports POLLIN; the file's count is unchanged until a read.`, source: SRC.uioPoll };
  return { ...ok(0), narration: `${head}: the count is still ${u.event}: revents 0, nothing to read yet.`, source: SRC.uioPoll };
}

function startTransfer(s: UioState): string {
  const d = s.device;
  if (d.transfer) return 'the device is busy, so it ignores START';
  d.regs.STATUS &= ~(STATUS_DONE | STATUS_ERR);
  const len = d.regs.DMA_LEN;
  if (len === 0 || len > DEVICE_MAX_LEN) {
    d.regs.STATUS |= STATUS_ERR;
    d.errors += 1;
    const irq = raiseInterrupt(s);
    return `DMA_LEN ${len} is not 1..${DEVICE_MAX_LEN}, so the device sets STATUS.ERR; ${irq.narration}`;
  }
  d.transfer = { busAddr: d.regs.DMA_ADDR, len, written: 0, chunksDone: 0 };
  const space = s.params.iommu === 'off' ? 'bus address = physical address, no IOMMU' : 'an IOVA, translated by the IOMMU';
  return `the device arms a ${len}-byte DMA to bus address ${hex(d.regs.DMA_ADDR)} (${space}) and sets BUSY; it writes when data arrives`;
}

function doMmio(s: UioState, op: Extract<UserOp, { op: 'mmio-read' | 'mmio-write' }>): Outcome & Ret {
  const a = s.procs[0];
  const write = op.op === 'mmio-write';
  const v0 = vmaAt(a, op.va, 1);
  if (!v0) return { ...fail('EFAULT'), ...killA(s, op.va, write ? 'stores to' : 'loads from') };
  if (v0.target === 'memory') {
    const v = vmaAt(a, op.va, 4);
    if (!v) return { ...fail('EFAULT'), ...killA(s, op.va + 4, write ? 'stores past the end of its mapping at' : 'loads past the end of its mapping at') };
    if (write) {
      memStore(s, v, op.va, leBytes(op.value % 2 ** 32, 4));
      return { ...ok(null), narration: `Process A stores the 32-bit value ${hex(op.value % 2 ** 32)} to ${hex(op.va)}, plain memory (${v.kind === 'anon' ? 'its own buffer' : `map ${v.mapIndex}`}).`, source: null };
    }
    const val = leValue(memLoad(s, v, op.va, 4));
    return { ...ok(val), narration: `Process A loads the 32-bit value ${hex(val)} from ${hex(op.va)}, plain memory (${v.kind === 'anon' ? 'its own buffer' : `map ${v.mapIndex}`}).`, source: null };
  }
  const offset = op.va - v0.start;
  const r = regAt(offset);
  const where = `BAR0 + ${hex(offset)}`;
  if (!r || !vmaAt(a, op.va, REG_WIDTH[r])) {
    if (write) return { ...ok(null), narration: `Process A stores ${hex(op.value)} to ${where}: no register starts there, so the device ignores it.`, source: null };
    return { ...ok(0), narration: `Process A loads from ${where}: no register starts there, so the device returns 0.`, source: null };
  }
  if (!write) {
    const val = readReg(s, r);
    const extra = r === 'STATUS' ? ` (${statusText(val)})` : '';
    return { ...ok(val), narration: `Process A loads ${r} (${where}) through its uncached mapping, no system call: ${hex(val)}${extra}.`, source: null };
  }
  const regs = s.device.regs;
  const width = REG_WIDTH[r];
  const value = width === 4 ? op.value % 2 ** 32 : op.value;
  const head = `Process A stores ${hex(value)} to ${r} (${where}) through its uncached mapping, no system call`;
  switch (r) {
    case 'DMA_ADDR':
    case 'DMA_LEN':
    case 'IRQ_ENABLE':
      regs[r] = value;
      return { ...ok(null), narration: `${head}.`, source: null };
    case 'STATUS': {
      const before = readReg(s, 'STATUS');
      regs.STATUS &= ~(value & (STATUS_DONE | STATUS_ERR));
      return { ...ok(null), narration: `${head}: DONE and ERR are write-1-to-clear, so STATUS goes from ${statusText(before)} to ${statusText(readReg(s, 'STATUS'))}.`, source: null };
    }
    case 'CTRL': {
      if (!(value & CTRL_START)) return { ...ok(null), narration: `${head}: START is not set, so nothing happens.`, source: null };
      const what = startTransfer(s);
      return { ...ok(null), narration: `${head}: ${what}.`, source: null };
    }
  }
}

function doLoad(s: UioState, op: Extract<UserOp, { op: 'load' }>): Outcome & Ret {
  const a = s.procs[0];
  const v = vmaAt(a, op.va, op.length);
  if (!v) {
    const first = vmaAt(a, op.va, 1) ? op.va + op.length - 1 : op.va;
    return { ...fail('EFAULT'), ...killA(s, first, 'loads from') };
  }
  const bytes = v.target === 'regs' ? regBytes(s, op.va - v.start, op.length) : memLoad(s, v, op.va, op.length);
  const text = bytesText(bytes, 64);
  const where = v.kind === 'anon' ? 'its own buffer' : v.target === 'regs' ? 'the registers' : `map ${v.mapIndex}${v.pfns.length ? ` (${pfnsText(v.pfns)})` : ''}`;
  const shown = bytes.every((x) => x === 0) ? 'only zeroes' : `"${text}"`;
  return { ...ok(null, text), bytes, narration: `Process A reads ${plural(op.length, 'byte')} at ${hex(op.va)}, ${where}: ${shown}.`, source: null };
}

function doSysfs(s: UioState, op: Extract<UserOp, { op: 'sysfs' }>): Outcome & Ret {
  const r = sysfsRead(s, op.path);
  if (r.errno) return { ...fail(r.errno), narration: `Process A reads ${op.path}: -${r.errno}, ${r.why}.`, source: null };
  return { ...ok(null, r.text), narration: `Process A reads ${op.path}: "${(r.text as string).trim()}"${r.why ? `, ${r.why}` : ''}.`, source: r.source };
}

/**
 * What reading sysfs attribute `path` gives: `/sys/class/uio/uio0/{name,version,event}`,
 * `/sys/class/uio/uio0/maps/mapN/{name,addr,size,offset}` (text with a trailing newline, as
 * the kernel prints it), or an errno (ENOENT) with the reason.
 */
export function sysfsRead(s: UioState, path: string): { text: string | null; errno: Errno | null; why: string; source: KernelSource | null } {
  const none = (why: string) => ({ text: null, errno: 'ENOENT' as Errno, why, source: null });
  const u = s.uio;
  if (!path.startsWith(SYSFS_UIO + '/')) return none('no such file');
  if (!u) return none('there is no uio0: the device is bound to vfio-pci');
  const rest = path.slice(SYSFS_UIO.length + 1);
  if (rest === 'name') return { text: `${u.name}\n`, errno: null, why: '', source: null };
  if (rest === 'version') return { text: `${u.version}\n`, errno: null, why: '', source: null };
  if (rest === 'event') return { text: `${u.event >>> 0}\n`, errno: null, why: 'the total interrupt count', source: SRC.eventShow };
  const m = /^maps\/map(\d)\/(name|addr|size|offset)$/.exec(rest);
  if (!m) return none('no such file');
  const map = u.maps[Number(m[1])];
  if (!map) return none(`the driver has no map ${m[1]}`);
  switch (m[2]) {
    case 'name':
      return { text: `${map.name}\n`, errno: null, why: '', source: null };
    case 'size':
      return { text: `${hex64(map.size)}\n`, errno: null, why: '', source: null };
    case 'offset':
      return { text: `${hex(map.offs)}\n`, errno: null, why: '', source: null };
    default: {
      let why = '';
      if (!map.allocated) why = 'DMEM_MAP_ERROR: the dynamic region exists only while someone has the device open';
      else if (map.backing === 'bar') why = 'the physical address of BAR0';
      else if (map.backing === 'dma' && map.memtype === 'PHYS') why = `the DMA handle, the bus address to give the device (${pfnsText(map.pfns)})`;
      else if (map.backing === 'dma') why = `for UIO_MEM_DMA_COHERENT mem->addr is the CPU (kernel virtual) address; the bus address ${hex(map.dmaAddr as number)} is not in sysfs`;
      else why = 'a kernel virtual address, useless to the device';
      return { text: `${map.addrHex}\n`, errno: null, why, source: SRC.mapAddrShow };
    }
  }
}

function doMapDma(s: UioState, op: Extract<UserOp, { op: 'map-dma' }>): Outcome & Ret {
  const a = s.procs[0];
  const head = `Process A calls VFIO_IOMMU_MAP_DMA(vaddr ${hex(op.vaddr)}, iova ${hex(op.iova)}, size ${hex(op.length)}) (IOMMU_IOAS_MAP with iommufd)`;
  if (s.params.iommu !== 'vfio' || !a.files.some((f) => f.kind === 'vfio')) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, A has no VFIO container or device open.`, source: null };
  if (op.length === 0 || op.length % PAGE_SIZE || op.vaddr % PAGE_SIZE || op.iova % PAGE_SIZE) {
    return { ...fail('EINVAL'), narration: `${head}: -EINVAL, vaddr, iova and size must be page aligned and the size non-zero.`, source: SRC.vfioDmaDoMap };
  }
  const v = vmaAt(a, op.vaddr, op.length);
  if (!v || v.kind !== 'anon') return { ...fail('EFAULT'), narration: `${head}: the range is not all in A's own memory, so pinning fails: -EFAULT.`, source: SRC.vfioDmaDoMap };
  const pages = op.length / PAGE_SIZE;
  const iovas = Array.from({ length: pages }, (_, i) => op.iova + i * PAGE_SIZE);
  if (s.iommu.mappings.some((m) => iovas.includes(m.iova))) return { ...fail('EEXIST'), narration: `${head}: part of that IOVA range is already mapped: -EEXIST.`, source: SRC.vfioDmaDoMap };
  const first = (op.vaddr - v.start) / PAGE_SIZE;
  const pfns = v.pfns.slice(first, first + pages);
  pfns.forEach((pfn, i) => {
    s.frames[pfn].pinned = true;
    s.iommu.mappings.push({ iova: iovas[i], pfn, read: true, write: true });
  });
  s.iommu.mappings.sort((x, y) => x.iova - y.iova);
  return {
    ...ok(0),
    narration: `${head}: VFIO pins A's ${plural(pages, 'page')} (${pfnsText(pfns)}) and maps IOVA ${hex(op.iova)}-${hex(op.iova + op.length - 1)} to them in the device's IOMMU domain; the device can reach nothing else.`,
    source: SRC.vfioDmaDoMap,
  };
}

/** Applies one op of process A to draft `s`; returns narration, source and the result. Exported for sessions. */
export function applyUserOp(s: UioState, op: UserOp): Outcome & Ret {
  switch (op.op) {
    case 'open':
      return doOpen(s, op);
    case 'close':
      return doClose(s, op);
    case 'mmap':
      return doMmap(s, op);
    case 'read':
      return doRead(s, op);
    case 'write':
      return doWrite(s, op);
    case 'poll':
      return doPoll(s, op);
    case 'mmio-read':
    case 'mmio-write':
      return doMmio(s, op);
    case 'load':
      return doLoad(s, op);
    case 'sysfs':
      return doSysfs(s, op);
    case 'map-dma':
      return doMapDma(s, op);
  }
}

function recordResult(s: UioState, call: string, r: Ret): void {
  s.procs[0].results.push({ step: s.stepIndex + 1, call, ret: r.ret, errno: r.errno ? `-${r.errno}` : null, text: r.text });
}

function stepA(s0: UioState, op: UserOp): { out: StepOut; ret: Ret } {
  const s = draft(s0);
  s.procs[0].pc += 1;
  const r = applyUserOp(s, op);
  if (!s.procs[0].blocked || r.errno) recordResult(s, opLabel(op), r);
  const ret: Ret = { ret: r.ret, errno: r.errno, text: r.text };
  if (r.bytes) ret.bytes = r.bytes;
  return { out: { state: s, narration: r.narration, source: r.source, actor: 'A' }, ret };
}

function wakeA(s0: UioState): StepOut {
  const s = draft(s0);
  const a = s.procs[0];
  const b = a.blocked as NonNullable<ProcA['blocked']>;
  const f = uioFile(s, b.fd) as OpenFile;
  const u = s.uio as UioDriver;
  a.blocked = null;
  u.waitQueue = u.waitQueue.filter((x) => x !== 'A');
  const prev = f.eventCount as number;
  const { value, jump } = finishRead(s, f, b.fd);
  recordResult(s, `read(${b.fd}, &count, 4)`, ok(value));
  return {
    state: s,
    narration: `Process A runs again inside uio_read: the count is ${value}, ${jumpText(prev, value, jump)}; read returns 4 bytes holding ${value}.`,
    source: SRC.uioRead,
    actor: 'A',
  };
}

function signalA(s0: UioState): StepOut {
  const s = draft(s0);
  const a = s.procs[0];
  const b = a.blocked as NonNullable<ProcA['blocked']>;
  a.blocked = null;
  if (s.uio) s.uio.waitQueue = s.uio.waitQueue.filter((x) => x !== 'A');
  recordResult(s, `read(${b.fd}, &count, 4)`, fail('EINTR'));
  return {
    state: s,
    narration: 'A signal reaches process A asleep in read(): uio_read returns -ERESTARTSYS, and with no restart the call fails with -EINTR.',
    source: SRC.uioRead,
    actor: 'A',
  };
}

// ---------------------------------------------------------------------------------------
// Process B.

function stepB(s0: UioState, op: BystanderOp): StepOut {
  const s = draft(s0);
  const b = s.procs[1];
  b.pc += 1;
  const out = (narration: string, source: KernelSource | null = null): StepOut => ({ state: s, narration, source, actor: 'B' });
  if (op.op === 'alloc') {
    const pfn = s.frames.findIndex((f) => f.owner === 'free');
    if (pfn < 0) return out('Process B touches a new page, but no frame is free (the model has no reclaim): nothing happens.');
    const va = USER_BUFFER_VA + b.pages.length * PAGE_SIZE;
    const f = s.frames[pfn];
    Object.assign(f, { owner: 'B', va, label: `B page ${b.pages.length}`, bytes: toBytes(op.text), strayDmaStep: null, dmaWrites: 0 });
    b.pages.push({ va, pfn });
    return out(`Process B writes "${op.text}" to a new page at ${hex(va)}: the page fault takes the lowest free frame, pfn ${pfn}, zeroes it and maps it.`, SRC.doAnonymousPage);
  }
  const pg = b.pages[op.page];
  if (!pg) return out(`Process B has no page ${op.page}; nothing happens.`);
  const f = s.frames[pg.pfn];
  if (op.op === 'write') {
    writeFrame(f, 0, toBytes(op.text));
    return out(`Process B writes "${op.text}" to its page at ${hex(pg.va)} (pfn ${pg.pfn}).`);
  }
  const text = bytesText(f.bytes, 64);
  const corrupted = f.strayDmaStep !== null;
  b.reads.push({ page: op.page, pfn: pg.pfn, text, corrupted });
  const tail = corrupted ? `: the device's DMA wrote over it at step ${f.strayDmaStep}, and nothing stopped it` : ', intact';
  return out(`Process B reads its page at ${hex(pg.va)} (pfn ${pg.pfn}) and finds "${text}"${tail}.`);
}

// ---------------------------------------------------------------------------------------
// The device.

/** The bytes of chunk `k` of a delivery, cut to the transfer length: [start, end) offsets. */
export function chunkBounds(dataLen: number, transferLen: number, chunks: number, k: number): [number, number] {
  const total = Math.min(dataLen, transferLen);
  return [Math.floor((k * total) / chunks), Math.floor(((k + 1) * total) / chunks)];
}

interface Translation {
  outcome: DmaOutcome;
  targets: DmaTarget[];
  /** For faults: the IOVA and why. */
  fault?: { iova: number; reason: 'not-mapped' | 'read-only' };
}

function intended(s: UioState, f: Frame): boolean {
  return s.params.iommu === 'vfio' ? f.pinned && f.owner === 'A' : f.owner === 'dma-buffer';
}

/** Where `length` bytes at bus address `bus` land: a physical address without an IOMMU, an IOVA with one. */
function translate(s: UioState, bus: number, length: number): Translation {
  const targets: DmaTarget[] = [];
  let addr = bus;
  let left = length;
  while (left > 0) {
    const inPage = addr % PAGE_SIZE;
    const n = Math.min(left, PAGE_SIZE - inPage);
    let pfn: number;
    let iova: number | null = null;
    if (s.params.iommu === 'vfio') {
      iova = addr - inPage;
      const m = s.iommu.mappings.find((x) => x.iova === iova);
      if (!m) return { outcome: 'iommu-fault', targets: [], fault: { iova: addr, reason: 'not-mapped' } };
      if (!m.write) return { outcome: 'iommu-fault', targets: [], fault: { iova: addr, reason: 'read-only' } };
      pfn = m.pfn;
    } else {
      pfn = Math.floor(addr / PAGE_SIZE);
      if (pfn >= s.frames.length) return { outcome: 'no-ram', targets: [] };
    }
    targets.push({ pfn, offset: inPage, length: n, owner: s.frames[pfn].owner, iova });
    addr += n;
    left -= n;
  }
  const allIntended = targets.every((t) => intended(s, s.frames[t.pfn]));
  return { outcome: allIntended ? 'ok' : 'stray', targets };
}

function ownerText(t: DmaTarget, s: UioState): string {
  const f = s.frames[t.pfn];
  switch (t.owner) {
    case 'dma-buffer':
      return `pfn ${t.pfn}, the DMA buffer (${f.label})`;
    case 'A':
      return `pfn ${t.pfn}, A's own page at ${hex(f.va as number)}`;
    case 'B':
      return `pfn ${t.pfn}, process B's page at ${hex(f.va as number)}`;
    case 'kernel':
      return `pfn ${t.pfn}, kernel memory`;
    case 'kernel-map':
      return `pfn ${t.pfn}, the driver's ${f.label}`;
    case 'free':
      return `pfn ${t.pfn}, a free frame`;
  }
}

function finishTransfer(s: UioState, error: boolean): void {
  const d = s.device;
  d.transfer = null;
  d.queue = d.queue.slice(1);
  d.regs.STATUS = (d.regs.STATUS & ~STATUS_BUSY) | (error ? STATUS_ERR : STATUS_DONE);
  if (error) d.errors += 1;
}

function stepDevice(s0: UioState): StepOut {
  const s = draft(s0);
  const d = s.device;
  const t = d.transfer as NonNullable<UioState['device']['transfer']>;
  const q = d.queue[0];
  const k = t.chunksDone;
  const [start, end] = chunkBounds(q.data.length, t.len, q.chunks, k);
  const bytes = q.data.slice(start, end);
  const bus = t.busAddr + start;
  const text = bytesText(bytes, 24);
  const step = s.stepIndex + 1;
  const chunkName = q.chunks === 1 ? 'its data' : `chunk ${k + 1} of ${q.chunks}`;
  const tr = bytes.length > 0 ? translate(s, bus, bytes.length) : { outcome: 'ok' as DmaOutcome, targets: [] };
  d.log.push({ step, busAddr: bus, length: bytes.length, outcome: tr.outcome, targets: tr.targets, text });
  let what: string;
  let source: KernelSource | null = null;
  if (tr.outcome === 'no-ram') {
    what = `The device tries to write ${chunkName} (${plural(bytes.length, 'byte')}) at bus address ${hex(bus)}, but no RAM answers at that physical address: the write goes nowhere, the device aborts with STATUS.ERR`;
    finishTransfer(s, true);
  } else if (tr.outcome === 'iommu-fault') {
    const fault = tr.fault as NonNullable<Translation['fault']>;
    s.iommu.faults.push({ step, iova: fault.iova, access: 'write', reason: fault.reason });
    s.kernelLog.push(`DMAR: [DMA Write] Request device [${DEVICE_BDF.slice(5)}] fault addr ${hex(fault.iova)}: ${fault.reason === 'not-mapped' ? 'no mapping' : 'read-only mapping'}`);
    what = `The device tries to write ${chunkName} (${plural(bytes.length, 'byte')}) at IOVA ${hex(bus)}; the IOMMU finds ${fault.reason === 'not-mapped' ? 'no mapping for it' : 'only a read-only mapping'} in the device's domain, blocks the write and reports a fault: nothing in memory changes, the device aborts with STATUS.ERR`;
    source = SRC.dmarFault;
    finishTransfer(s, true);
  } else {
    let done = 0;
    for (const tg of tr.targets) {
      const f = s.frames[tg.pfn];
      writeFrame(f, tg.offset, bytes.slice(done, done + tg.length));
      done += tg.length;
      f.dmaWrites += 1;
      if (!intended(s, f) && f.strayDmaStep === null) f.strayDmaStep = step;
    }
    t.written = end;
    t.chunksDone = k + 1;
    const where = tr.targets.length ? tr.targets.map((x) => ownerText(x, s)).join(' and ') : 'nowhere (an empty chunk)';
    const via = s.params.iommu === 'vfio' ? `to IOVA ${hex(bus)}, which the IOMMU translates to ${where}` : `to bus address ${hex(bus)}, which without an IOMMU is the physical address: ${where}`;
    const warn = tr.outcome === 'stray' ? '; that is not the DMA buffer, and nothing checked the address' : '';
    what = `The device writes ${chunkName}, "${text}" (${plural(bytes.length, 'byte')}), by DMA ${via}${warn}`;
    if (t.chunksDone === q.chunks) {
      const dropped = q.data.length - Math.min(q.data.length, t.len);
      if (dropped > 0) what += `; DMA_LEN is ${t.len}, so the last ${plural(dropped, 'byte')} are dropped`;
      finishTransfer(s, false);
      what += '; the transfer is complete (STATUS.DONE)';
    }
  }
  const irq = raiseInterrupt(s);
  return { state: s, narration: `${what}; ${irq.narration}.`, source: source ?? irq.source, actor: 'device' };
}

function stepWorld(s0: UioState, data: number[], chunks: number): StepOut {
  const s = draft(s0);
  s.device.queue.push({ data: [...data], chunks });
  const waiting = s.device.transfer ? 'the armed transfer will take it' : 'it waits until a transfer is armed';
  return {
    state: s,
    narration: `${plural(data.length, 'byte')} ("${bytesText(data, 24)}") arrive at the device's input, to be written in ${plural(chunks, 'chunk')}; ${waiting}.`,
    source: null,
    actor: 'world',
  };
}

// ---------------------------------------------------------------------------------------
// Choices.

interface StepOut extends Outcome {
  state: UioState;
  actor: string;
}

/** True when A is asleep in read() and the count has moved since its file last saw it. */
export function aWoken(s: UioState): boolean {
  const a = s.procs[0];
  if (!a.blocked || !s.uio) return false;
  const f = fileByFd(a, a.blocked.fd);
  return !!f && f.eventCount !== s.uio.event;
}

function enabledChoices(s: UioState): UioChoice[] {
  const out: UioChoice[] = [];
  const a = s.procs[0];
  if (a.status === 'running') {
    if (a.blocked) {
      if (aWoken(s)) out.push({ actor: 'A', wake: true });
    } else if (a.pc < s.params.programA.length) {
      out.push({ actor: 'A', op: s.params.programA[a.pc] });
    }
  }
  const b = s.procs[1];
  if (b.pc < s.params.programB.length) out.push({ actor: 'B', op: s.params.programB[b.pc] });
  if (s.device.transfer && s.device.queue.length > 0) out.push({ actor: 'device' });
  return out;
}

/** A string identifying a choice (equal strings = the same choice). */
export function choiceKey(c: UioChoice): string {
  switch (c.actor) {
    case 'A':
      if ('wake' in c) return 'A:wake';
      if ('signal' in c) return 'A:signal';
      return `A:${JSON.stringify(c.op)}`;
    case 'B':
      return `B:${JSON.stringify(c.op)}`;
    case 'device':
      return 'device';
    case 'world':
      return `world:${c.chunks}:${c.data.join(',')}`;
  }
}

function sameChoice(a: UioChoice, b: UioChoice): boolean {
  return choiceKey(a) === choiceKey(b);
}

function bLabel(op: BystanderOp): string {
  switch (op.op) {
    case 'read':
      return `read its page ${op.page}`;
    case 'write':
      return `write "${op.text}" to its page ${op.page}`;
    case 'alloc':
      return `touch a new page ("${op.text}")`;
  }
}

function describeChoice(s: UioState, c: UioChoice): string {
  switch (c.actor) {
    case 'A':
      if ('wake' in c) return 'process A: read() returns';
      if ('signal' in c) return 'process A: a signal interrupts read()';
      return `process A: ${opLabel(c.op)}`;
    case 'B':
      return `process B: ${bLabel(c.op)}`;
    case 'device': {
      const q = s.device.queue[0];
      return q && s.device.transfer ? `device: DMA ${q.chunks === 1 ? 'its data' : `chunk ${s.device.transfer.chunksDone + 1} of ${q.chunks}`} and interrupt` : 'device (idle)';
    }
    case 'world':
      return `outside world: ${c.data.length} bytes arrive at the device`;
  }
}

function normalise(c: UioChoice): UioChoice {
  return deepClone(c);
}

function finish(state: UioState, r: StepOut, choice: UioChoice, quiet = false): UioState {
  const event: StepEvent = { narration: quiet ? '' : r.narration, source: r.source, actor: r.actor };
  return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice: normalise(choice) };
}

/**
 * Process A issues `op` (any op, not only its script's next one): the next state and what
 * the op returned (`ret`, `errno` name, `text`, and `bytes` for loads). `ret` and `errno`
 * are both null when A went to sleep in read(). Throws `RangeError` for a malformed op and
 * `Error` when A cannot run (asleep or killed). Pure; for sessions.
 */
export function stepUserOp(state: UioState, op: UserOp): { state: UioState; ret: Ret } {
  validateUserOp(op, 'op');
  if (state.procs[0].blocked || state.procs[0].status !== 'running') throw new Error('uio model: process A cannot run an op now');
  const { out, ret } = stepA(state, op);
  return { state: finish(state, out, { actor: 'A', op }), ret };
}

function applyChoice(state: UioState, choice: UioChoice, quiet = false): UioState {
  let r: StepOut;
  switch (choice.actor) {
    case 'A':
      r = 'wake' in choice ? wakeA(state) : 'signal' in choice ? signalA(state) : stepA(state, choice.op).out;
      break;
    case 'B':
      r = stepB(state, choice.op);
      break;
    case 'device':
      r = stepDevice(state);
      break;
    case 'world':
      r = stepWorld(state, choice.data, choice.chunks);
      break;
  }
  return finish(state, r, choice, quiet);
}

/**
 * `step` without the enabled check, for callers that drive the model directly
 * (`./session.ts`). The choice must still make sense: `wake` and `signal` need A asleep in
 * read(), `device` an armed transfer with data waiting; throws `Error` otherwise. Pure.
 */
export function stepUnchecked(state: UioState, choice: UioChoice): UioState {
  if (choice.actor === 'A' && ('wake' in choice || 'signal' in choice) && !state.procs[0].blocked) throw new Error('uio model: process A is not asleep in read()');
  if (choice.actor === 'A' && 'wake' in choice && !aWoken(state)) throw new Error('uio model: nothing has woken process A');
  if (choice.actor === 'A' && 'op' in choice && (state.procs[0].blocked || state.procs[0].status !== 'running')) throw new Error('uio model: process A cannot run an op now');
  if (choice.actor === 'device' && !(state.device.transfer && state.device.queue.length > 0)) throw new Error('uio model: the device has no armed transfer with data waiting');
  if (choice.actor === 'world') validateDelivery({ data: choice.data, chunks: choice.chunks }, 'world choice');
  if (choice.actor === 'A' && 'op' in choice) validateUserOp(choice.op, 'op');
  return applyChoice(state, choice);
}

/**
 * The UIO model (id `'uio'`), implementing `Model` of `../core/model.ts`.
 *
 * - `initialState(params, seed)`: see `initialState`; the seed is unused (no randomness).
 * - `enabled(state)`: `{actor:'A', op}` (A's next op) or `{actor:'A', wake:true}` (A asleep in
 *   read() and the count moved), then `{actor:'B', op}` (B's next op), then `{actor:'device'}`
 *   (an armed transfer with data waiting). Empty when nothing can happen (A may be left
 *   asleep: a read that nothing will ever wake).
 * - `step(state, choice)`: pure; throws `Error` if `choice` is not enabled.
 * - `event(state)`: narration, source (`{file, fn, version: '6.12'}`, or null for MMIO, the
 *   CPU and the device) and actor (`'A'`, `'B'`, `'device'`, `'world'`).
 */
export const uioModel: Model<UioParams, UioState, UioChoice> = {
  id: 'uio',
  initialState(params: UioParams, _seed: number): UioState {
    return initialState(params);
  },
  enabled: enabledChoices,
  step(state: UioState, choice: UioChoice): UioState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`uio model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    return applyChoice(state, choice);
  },
  stepFast: (state: UioState, choice: UioChoice) => applyChoice(state, choice, true),
  event(state: UioState): StepEvent | null {
    return state.event;
  },
  describeChoice,
  sameChoice,
};

/** A key for the explorer: the state without `stepIndex`, `event` and `lastChoice` (equal keys, equal futures). */
export function canonicalKey(s: UioState): string {
  const { stepIndex: _i, event: _e, lastChoice: _c, params: _p, ...rest } = s;
  return JSON.stringify(rest);
}

/** The owner of the frame at physical address `phys`, or null outside RAM (for views). */
export function ownerAt(s: UioState, phys: number): FrameOwner | null {
  const f = s.frames[Math.floor(phys / PAGE_SIZE)];
  return f ? f.owner : null;
}

/** `ERRNO[e]`, negated: the raw system-call return for an errno name. */
export function errnoValue(e: Errno): number {
  return -ERRNO[e];
}
