/**
 * Constants of the UIO model, with the kernel's names and values (Linux 6.12), and the
 * register layout of the simulated PCI device (invented for the lab, kept small).
 */
import type { KernelSource } from '../core/model.ts';

/** Kernel version every cited source was read in. */
export const KERNEL_VERSION = '6.12';

/** `{file, fn, version: '6.12'}`. */
export function src(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

// ---------------------------------------------------------------------------------------
// Pages and addresses (x86-64).

/** `PAGE_SIZE` in bytes (`getpagesize()`); the model only supports 4096. */
export const PAGE_SIZE = 4096;
/** `PAGE_SHIFT`. */
export const PAGE_SHIFT = 12;

/**
 * `MAX_UIO_MAPS` (include/linux/uio_driver.h): `uio_info.mem[]` has this many entries, and
 * `uio_find_mem_index()` refuses a `vm_pgoff` at or beyond it. 5 since UIO was merged.
 */
export const MAX_UIO_MAPS = 5;

/**
 * `UIO_MEM_*` (include/linux/uio_driver.h): how `uio_mmap()` maps a region.
 * - NONE 0: unused; `uio_mmap` refuses it (-EINVAL).
 * - PHYS 1: physical (device) memory: `uio_mmap_physical`, `remap_pfn_range`, uncached.
 * - LOGICAL 2: kernel linear-map memory: `uio_mmap_logical`, pages found by `virt_to_page` on fault.
 * - VIRTUAL 3: vmalloc memory: `uio_mmap_logical`, pages found by `vmalloc_to_page` on fault.
 * - IOVA 4: like PHYS but cached (uio_hv_generic uses it).
 * - DMA_COHERENT 5: a `dma_alloc_coherent` buffer mapped with `dma_mmap_coherent()`
 *   (`uio_mmap_dma_coherent`); added in 6.9 for legacy drivers, "highly discouraged".
 */
export const UIO_MEM = { NONE: 0, PHYS: 1, LOGICAL: 2, VIRTUAL: 3, IOVA: 4, DMA_COHERENT: 5 } as const;
/** A `UIO_MEM_*` name without the prefix. */
export type UioMemtype = keyof typeof UIO_MEM;
/** The names in value order. */
export const UIO_MEMTYPES: readonly UioMemtype[] = ['NONE', 'PHYS', 'LOGICAL', 'VIRTUAL', 'IOVA', 'DMA_COHERENT'];

/**
 * x86-64 `PAGE_OFFSET` (without KASLR): the kernel's linear map of physical memory starts
 * here, so a LOGICAL or dma-direct coherent buffer at physical P has CPU address
 * `0xffff888000000000 + P`. Beyond 2^53: kept as a BigInt and only ever printed.
 */
export const PAGE_OFFSET = 0xffff888000000000n;
/** x86-64 `VMALLOC_START` (4-level paging, no KASLR); the model puts VIRTUAL regions here. */
export const VMALLOC_START = 0xffffc90000000000n;
/** `DMEM_MAP_ERROR` of uio_dmem_genirq (`~0`): the address sysfs shows while no one has the device open. */
export const DMEM_MAP_ERROR = 0xffffffffffffffffn;

/** Where process A's own anonymous buffer (its "malloc") starts. Process B's pages start at the same virtual address in its own address space. */
export const USER_BUFFER_VA = 0x7f0000000000;
/** Where A's first mmap lands; each further mmap gets the next 1 MiB slot. */
export const MMAP_BASE = 0x7f0000100000;
/** Distance between mmap slots. */
export const MMAP_SLOT = 0x100000;

// ---------------------------------------------------------------------------------------
// The device: a PCI bus-master with one 4 KiB register BAR.

/** PCI address of the device (domain:bus:device.function). */
export const DEVICE_BDF = '0000:03:00.0';
/** Physical address of BAR0 (MMIO, outside RAM). */
export const BAR0_PHYS = 0xfebf0000;
/** Size of BAR0 in bytes. */
export const BAR0_SIZE = 0x1000;

/**
 * Register offsets in BAR0 (bytes). DMA_ADDR is 64 bits wide (accessed as one 64-bit MMIO
 * access, `writeq`/`readq`); the others are 32 bits.
 */
export const REG = {
  /** Bus address the device writes to (64-bit). */
  DMA_ADDR: 0x00,
  /** Transfer length in bytes (1 .. DEVICE_MAX_LEN). */
  DMA_LEN: 0x08,
  /** Control: write CTRL_START to arm a transfer (self-clearing: reads back 0); starting clears STATUS.DONE and STATUS.ERR. */
  CTRL: 0x0c,
  /** Status: DONE and ERR are write-1-to-clear, BUSY is read-only. */
  STATUS: 0x10,
  /** Interrupt enable: IRQ_ENABLE_DONE makes the device interrupt when a chunk or the transfer ends, or on an error. */
  IRQ_ENABLE: 0x14,
} as const;
/** A register name. */
export type RegName = keyof typeof REG;
/** The registers in offset order. */
export const REG_NAMES: readonly RegName[] = ['DMA_ADDR', 'DMA_LEN', 'CTRL', 'STATUS', 'IRQ_ENABLE'];
/** Width of each register in bytes. */
export const REG_WIDTH: Record<RegName, 4 | 8> = { DMA_ADDR: 8, DMA_LEN: 4, CTRL: 4, STATUS: 4, IRQ_ENABLE: 4 };

/** CTRL bit 0: start (arm) a transfer of DMA_LEN bytes to DMA_ADDR. */
export const CTRL_START = 1 << 0;
/** STATUS bit 0: the last transfer completed (W1C). */
export const STATUS_DONE = 1 << 0;
/** STATUS bit 1: the last transfer failed: bad length, no memory at the address, or an IOMMU fault (W1C). */
export const STATUS_ERR = 1 << 1;
/** STATUS bit 2: a transfer is armed or running (read-only). */
export const STATUS_BUSY = 1 << 2;
/** IRQ_ENABLE bit 0: interrupt on chunk completion, transfer completion and errors. */
export const IRQ_ENABLE_DONE = 1 << 0;
/** Largest transfer the device accepts, in bytes. */
export const DEVICE_MAX_LEN = 0x10000;

// ---------------------------------------------------------------------------------------
// System-call constants.

/** open(2) flags (include/uapi/asm-generic/fcntl.h). */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;

/** poll(2) bits (include/uapi/asm-generic/poll.h): uio_poll returns EPOLLIN | EPOLLRDNORM; poll(2) keeps the bits asked for plus POLLERR and POLLHUP. */
export const POLLIN = 0x0001;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;

/** errno values (include/uapi/asm-generic/errno-base.h, errno.h). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSYS: 38,
} as const;
/** An errno name. */
export type Errno = keyof typeof ERRNO;

/** Device paths the model knows. */
export const UIO_PATH = '/dev/uio0';
export const VFIO_PATH = '/dev/vfio/devices/vfio0';
export const SYSFS_UIO = '/sys/class/uio/uio0';

// ---------------------------------------------------------------------------------------
// Formatting.

/** `0x2000`-style hex of a non-negative number or BigInt (the one `hex` of sims/core/text.ts). */
export { hex } from '../core/text.ts';

/** What `%pa` prints for a 64-bit phys_addr_t: `0x` and 16 hex digits. */
export function hex64(n: number | bigint): string {
  const b = typeof n === 'bigint' ? n : BigInt(n);
  return '0x' + (b & 0xffffffffffffffffn).toString(16).padStart(16, '0');
}

/** `-EINVAL`-style text. */
export function errText(e: Errno): string {
  return `-${e}`;
}
