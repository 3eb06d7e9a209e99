/**
 * Ready-made configurations of the UIO model (`./model.ts`) for the lesson and the player.
 *
 * The machine: 16 frames of 4 KiB (64 KiB of RAM from physical address 0); the kernel in
 * pfn 0-1; process A's own buffer (its malloc) in pfn 4-5 at 0x7f0000000000; process B's
 * pages in pfn 6-7 at the same virtual address in its own address space. The device's BAR0
 * sits at 0xfebf0000. The UIO driver has map 0 = BAR0 (UIO_MEM_PHYS) and map 1 = an 8 KiB
 * DMA buffer that, as in uio_dmem_genirq before 6.9 (or an out-of-tree driver), is allocated
 * with dma_alloc_coherent at the first open (the lowest free run: pfn 2-3, bus address 0x2000),
 * published as a UIO_MEM_PHYS map whose sysfs `addr` is the bus address, and freed at the last
 * release. Since 6.9 (commit 019947805a8d) uio_dmem_genirq maps such regions as
 * UIO_MEM_DMA_COHERENT and `addr` shows a kernel virtual address; no in-tree 6.12 UIO driver
 * gives user space a bus address.
 * A's first mmap lands at 0x7f0000100000 (the registers), the second at 0x7f0000200000.
 *
 * Every preset has a fixed schedule; `model.test.ts` replays each one to the outcome its
 * description names.
 */
import { CTRL_START, IRQ_ENABLE_DONE, MMAP_BASE, MMAP_SLOT, O_NONBLOCK, O_RDWR, REG, SYSFS_UIO, UIO_PATH, USER_BUFFER_VA, VFIO_PATH } from './constants.ts';
import type { RegName } from './constants.ts';
import type { BystanderOp, DeliverySpec, UioChoice, UioMapSpec, UioParams, UserOp } from './types.ts';

/** A preset: menu title, what it shows and how it ends, parameters, and the schedule. */
export interface UioPreset {
  title: string;
  /** One or two plain sentences: what the preset shows and how its schedule ends. */
  description: string;
  params: UioParams;
  schedule: UioChoice[];
}

/** Where A's first mmap (the registers, in the presets) lands. */
export const REGS_VA = MMAP_BASE;
/** Where A's second mmap (the DMA buffer, in the presets) lands. */
export const BUF_VA = MMAP_BASE + MMAP_SLOT;
/** Bus address of the DMA buffer when it is allocated in pfn 2-3. */
export const BUF_BUS = 0x2000;
/** The IOVA the VFIO preset maps A's buffer at. */
export const VFIO_IOVA = 0x100000;

/** Map 0: the device's registers. */
export const REGS_MAP: UioMapSpec = { name: 'regs', memtype: 'PHYS', size: 4096, backing: 'bar' };
/** Map 1: the 8 KiB DMA buffer (dynamic, pre-6.9 uio_dmem_genirq style, mem->addr = the DMA handle). */
export const DMA_MAP: UioMapSpec = { name: 'dma', memtype: 'PHYS', size: 8192, backing: 'dma' };

/** The presets' machine, with overrides. */
export function baseParams(over: Partial<UioParams> = {}): UioParams {
  return {
    pageSize: 4096,
    frames: 16,
    kernelFrames: 2,
    processA: { bufferPfns: [4, 5] },
    processB: {
      pages: [
        { pfn: 6, text: 'B: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5' },
        { pfn: 7, text: 'B: balance=1000' },
      ],
    },
    iommu: 'off',
    driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [REGS_MAP, DMA_MAP] },
    deliveries: [],
    programA: [],
    programB: [],
    ...over,
  };
}

// Op helpers.
const openUio = (flags = O_RDWR): UserOp => ({ op: 'open', path: UIO_PATH, flags });
const mmap = (fd: number, length: number, offset: number): UserOp => ({ op: 'mmap', fd, length, offset });
const store = (reg: RegName, value: number, base = REGS_VA): UserOp => ({ op: 'mmio-write', va: base + REG[reg], value });
const loadReg = (reg: RegName, base = REGS_VA): UserOp => ({ op: 'mmio-read', va: base + REG[reg] });
const rd = (fd: number, count = 4): UserOp => ({ op: 'read', fd, count });
const wr = (fd: number, value = 1, count = 4): UserOp => ({ op: 'write', fd, value, count });
const sysfs = (rest: string): UserOp => ({ op: 'sysfs', path: `${SYSFS_UIO}/${rest}` });
const load = (va: number, length: number): UserOp => ({ op: 'load', va, length });
/** Program the device: DMA_ADDR, DMA_LEN, IRQ_ENABLE, then CTRL.START. */
const program = (bus: number, len: number, base = REGS_VA): UserOp[] => [store('DMA_ADDR', bus, base), store('DMA_LEN', len, base), store('IRQ_ENABLE', IRQ_ENABLE_DONE, base), store('CTRL', CTRL_START, base)];

// Schedule helpers.
const A = (op: UserOp): UioChoice => ({ actor: 'A', op });
const B = (op: BystanderOp): UioChoice => ({ actor: 'B', op });
const WAKE: UioChoice = { actor: 'A', wake: true };
const DEV: UioChoice = { actor: 'device' };
const all = (ops: UserOp[]): UioChoice[] => ops.map(A);

const deliver = (data: string, chunks = 1): DeliverySpec => ({ data, chunks });

// --- uio-read-blocks
const readBlocksA: UserOp[] = [openUio(), mmap(3, 4096, 0), sysfs('maps/map1/addr'), mmap(3, 8192, 4096), ...program(BUF_BUS, 16), rd(3), load(BUF_VA, 16), wr(3)];

// --- missed-interrupts
const missedA: UserOp[] = [openUio(), mmap(3, 4096, 0), mmap(3, 8192, 4096), ...program(BUF_BUS, 24), rd(3), load(BUF_VA, 24), wr(3)];

// --- irqcontrol-reenable
const reenableA: UserOp[] = [
  openUio(),
  mmap(3, 4096, 0),
  mmap(3, 8192, 4096),
  ...program(BUF_BUS, 8),
  rd(3),
  store('DMA_LEN', 16),
  store('CTRL', CTRL_START),
  wr(3),
  rd(3),
  load(BUF_VA, 16),
  wr(3),
];

// --- nonblock-eagain
const nonblockA: UserOp[] = [
  openUio(O_RDWR | O_NONBLOCK),
  mmap(3, 4096, 0),
  rd(3, 8),
  rd(3),
  { op: 'poll', fd: 3 },
  ...program(BUF_BUS, 4),
  { op: 'poll', fd: 3 },
  rd(3),
  rd(3),
  wr(3, 1, 2),
  wr(3),
];

// --- wrong-bus-address-no-iommu
const staleA1: UserOp[] = [openUio(), sysfs('maps/map1/addr'), { op: 'close', fd: 3 }];
const staleA2: UserOp[] = [openUio(), mmap(3, 4096, 0), mmap(3, 8192, 4096), ...program(BUF_BUS, 16), rd(3)];
const staleA3: UserOp[] = [load(BUF_VA, 16)];
const SECRET: BystanderOp = { op: 'alloc', text: 'B: password=hunter2' };

// --- wrong-iova-vfio
const vfioA1: UserOp[] = [
  { op: 'open', path: VFIO_PATH, flags: O_RDWR },
  { op: 'map-dma', vaddr: USER_BUFFER_VA, iova: VFIO_IOVA, length: 8192 },
  mmap(3, 4096, 0),
  ...program(BUF_BUS, 16),
];
const vfioA2: UserOp[] = [loadReg('STATUS')];
const vfioA3: UserOp[] = [store('DMA_ADDR', VFIO_IOVA), store('CTRL', CTRL_START)];
const vfioA4: UserOp[] = [loadReg('STATUS'), load(USER_BUFFER_VA, 16)];

// --- mmap-offsets
const offsetsA: UserOp[] = [
  openUio(),
  mmap(3, 4096, 0),
  mmap(3, 8192, 0x1000),
  mmap(3, 4096, 0x2000),
  mmap(3, 4096, 0x3000),
  mmap(3, 4096, 0x4000),
  mmap(3, 4096, 0x5000),
  mmap(3, 3 * 4096, 0x1000),
  mmap(3, 4096, 0x1800),
  sysfs('maps/map1/addr'),
  sysfs('maps/map2/addr'),
  sysfs('maps/map3/addr'),
  load(MMAP_BASE + 2 * MMAP_SLOT, 16),
];

export const UIO_PRESETS: Record<string, UioPreset> = {
  'uio-read-blocks': {
    title: 'read() sleeps until the interrupt',
    description:
      'A opens /dev/uio0, maps the registers (offset 0) and the DMA buffer (offset 4096), reads the buffer\'s bus address 0x2000 from sysfs ' +
      '(as a pre-6.9 or out-of-tree driver publishes it; 6.12\'s in-tree drivers do not), ' +
      'programs and starts a 16-byte DMA, and blocks in read(). The device writes the data and interrupts: the count becomes 1, read returns 1, ' +
      'A finds the data in its mapping and re-enables the line with write(fd, 1).',
    params: baseParams({ deliveries: [deliver('temperature=21.5')], programA: readBlocksA }),
    schedule: [...all(readBlocksA.slice(0, 9)), DEV, WAKE, ...all(readBlocksA.slice(9))],
  },
  'missed-interrupts': {
    title: 'Missed interrupts: the count jumps',
    description:
      'With a driver whose handler leaves the line enabled, the device writes its data in 3 chunks and interrupts after each. A is woken by the ' +
      'first, but the other two come before it runs: read returns 3, a jump of 3, so 2 interrupts went unseen. The driver has no irqcontrol, so write() gives -ENOSYS.',
    params: baseParams({
      driver: { irq: true, irqHandler: 'keep-enabled', irqcontrol: false, maps: [REGS_MAP, DMA_MAP] },
      deliveries: [deliver('frame-1;frame-2;frame-3;', 3)],
      programA: missedA,
    }),
    schedule: [...all(missedA.slice(0, 8)), DEV, DEV, DEV, WAKE, ...all(missedA.slice(8))],
  },
  'irqcontrol-reenable': {
    title: 'irqcontrol: the line stays off until write(fd, 1)',
    description:
      'A genirq-style handler disables the line at the first interrupt (count 1). The next transfer interrupts twice while it is off: the first is held ' +
      'pending, the second is lost. write(fd, 1) re-enables the line, the pending interrupt is replayed (count 2), and a last write(fd, 1) leaves it enabled. ' +
      'The device sent 3 interrupts; the count says 2.',
    params: baseParams({ deliveries: [deliver('first!!!'), deliver('second..third...', 2)], programA: reenableA }),
    schedule: [...all(reenableA.slice(0, 8)), DEV, WAKE, ...all(reenableA.slice(8, 10)), DEV, DEV, ...all(reenableA.slice(10))],
  },
  'nonblock-eagain': {
    title: 'O_NONBLOCK, poll() and the 4-byte rule',
    description:
      'With O_NONBLOCK, read of 8 bytes is -EINVAL and read of 4 bytes is -EAGAIN until an interrupt; poll() reports nothing, then POLLIN after one. ' +
      'read returns 1 and the next read is -EAGAIN again; write of 2 bytes is -EINVAL, of 4 bytes re-enables the line.',
    params: baseParams({ deliveries: [deliver('ping')], programA: nonblockA }),
    schedule: [...all(nonblockA.slice(0, 9)), DEV, ...all(nonblockA.slice(9))],
  },
  'wrong-bus-address-no-iommu': {
    title: 'A stale bus address, no IOMMU: B\'s page is overwritten',
    description:
      'A reads the buffer\'s bus address (0x2000) from sysfs (a pre-6.9 or out-of-tree driver) and closes the device, which frees the buffer; B\'s next page lands in that frame. A reopens ' +
      '(the new buffer is at 0x8000) but programs the old 0x2000. With no IOMMU the device writes straight into B\'s page, A\'s buffer stays empty, and B reads the device\'s data over its password.',
    params: baseParams({ deliveries: [deliver('ADC:0123456789AB')], programA: [...staleA1, ...staleA2, ...staleA3], programB: [SECRET, { op: 'read', page: 2 }] }),
    schedule: [...all(staleA1), B(SECRET), ...all(staleA2), DEV, WAKE, ...all(staleA3), B({ op: 'read', page: 2 })],
  },
  'wrong-iova-vfio': {
    title: 'The same mistake with VFIO: an IOMMU fault, nothing corrupted',
    description:
      'B\'s new page again sits at physical 0x2000. A uses VFIO: it maps its own buffer at IOVA 0x100000 with VFIO_IOMMU_MAP_DMA and programs the same wrong 0x2000. ' +
      'The IOMMU has no mapping there: it blocks the write and logs a fault, the device reports ERR, B\'s page is intact. With DMA_ADDR = 0x100000 the data reaches A\'s buffer.',
    params: baseParams({
      iommu: 'vfio',
      deliveries: [deliver('ADC:0123456789AB'), deliver('ADC:FEDCBA987654')],
      programA: [...vfioA1, ...vfioA2, ...vfioA3, ...vfioA4],
      programB: [SECRET, { op: 'read', page: 2 }],
    }),
    schedule: [B(SECRET), ...all(vfioA1), DEV, ...all(vfioA2), B({ op: 'read', page: 2 }), ...all(vfioA3), DEV, ...all(vfioA4)],
  },
  'mmap-offsets': {
    title: 'mmap offsets select maps',
    description:
      'A driver with four maps: registers (PHYS), a DMA buffer (PHYS), a kernel page (LOGICAL) and a legacy coherent buffer (DMA_COHERENT, which logs ' +
      '"highly discouraged"). Offsets 0, 0x1000, 0x2000 and 0x3000 map them; 0x4000 (no map 4), 0x5000 (beyond MAX_UIO_MAPS), 3 pages of the 2-page map and ' +
      'an unaligned offset all fail with -EINVAL. sysfs shows a bus address for map 1 (a pre-6.9 or out-of-tree driver) but kernel addresses for maps 2 and 3.',
    params: baseParams({
      driver: {
        irq: true,
        irqHandler: 'genirq',
        irqcontrol: true,
        maps: [REGS_MAP, DMA_MAP, { name: 'status', memtype: 'LOGICAL', size: 4096, backing: 'kernel' }, { name: 'legacy', memtype: 'DMA_COHERENT', size: 4096, backing: 'dma', dynamic: false }],
      },
      programA: offsetsA,
    }),
    schedule: all(offsetsA),
  },
};
