/**
 * Ready-made configurations of the mm model (`./model.ts`) for the lesson and the player.
 *
 * A small machine: 16 frames of 4 KiB, pfn 0-5 in ZONE_NORMAL (pfn 0 is the zero page) and
 * pfn 6-15 in ZONE_MOVABLE (as with the `movablecore=` boot option), so user pages land in
 * ZONE_MOVABLE first and compaction can move them. Process 0 has a 4-page anonymous buffer
 * `buf` at 0x7f0000000000 (PGD[254]) and a 2-page read-only private file mapping
 * `data.bin` at 0x7f0000200000 (its own PMD entry, so its own PTE table).
 *
 * Every preset has a fixed schedule; `model.test.ts` replays each one to the outcome its
 * description names.
 */
import { FOLL_LONGTERM, FOLL_WRITE } from './constants.ts';
import type { DriverOp, MmChoice, MmParams, ProcessOp, VmaSpec } from './types.ts';

/** A preset: menu title, what it shows and how it ends, parameters, and the schedule. */
export interface MmPreset {
  title: string;
  /** One or two plain sentences: what the preset shows and how its schedule ends. */
  description: string;
  params: MmParams;
  schedule: MmChoice[];
}

/** Start of the anonymous buffer of the presets. */
export const BUF = 0x7f0000000000;
/** Start of the file mapping of the presets. */
export const FILE_MAP = 0x7f0000200000;
const PG = 4096;

const BUF_VMA: VmaSpec = { start: BUF, length: 4 * PG, kind: 'anon', prot: 'rw', name: 'buf' };
const FILE_VMA: VmaSpec = { start: FILE_MAP, length: 2 * PG, kind: 'file', prot: 'r', file: 'data.bin', name: 'data.bin' };

function base(over: Partial<MmParams> = {}): MmParams {
  return {
    pageSize: 4096,
    frames: 16,
    normalFrames: 6,
    swapSlots: 4,
    vmas: [BUF_VMA, FILE_VMA],
    programs: [[]],
    driver: [],
    kernel: { compaction: false, swap: false, maxEvents: 0 },
    ...over,
  };
}

// Schedule helpers.
const rd = (va: number): ProcessOp => ({ kind: 'read', va });
const wr = (va: number): ProcessOp => ({ kind: 'write', va });
const P = (pid: number, op: ProcessOp): MmChoice => ({ actor: 'process', pid, op });
const DRV: MmChoice = { actor: 'driver' };
const DEV: MmChoice = { actor: 'device' };
const COMPACT = (pfn: number): MmChoice => ({ actor: 'kernel', op: 'compact', pfn });
const SWAP = (pfn: number): MmChoice => ({ actor: 'kernel', op: 'swap-out', pfn });

/** Process `pid`'s whole program as choices, in order. */
function all(pid: number, ops: ProcessOp[]): MmChoice[] {
  return ops.map((op) => P(pid, op));
}

const page = (i: number): number => BUF + i * PG;
const fill3 = [wr(page(0)), wr(page(1)), wr(page(2))];
const read3 = [rd(page(0)), rd(page(1)), rd(page(2))];

const DMA_PINNED: DriverOp[] = [
  { kind: 'mmap_read_lock' },
  { kind: 'pin_user_pages', start: BUF, nrPages: 3, flags: FOLL_WRITE | FOLL_LONGTERM },
  { kind: 'mmap_read_unlock' },
  { kind: 'start_dma' },
  { kind: 'wait_dma' },
  { kind: 'unpin_user_pages_dirty_lock', makeDirty: true },
];

export const MM_PRESETS: Record<string, MmPreset> = {
  translate: {
    title: 'Translating one address',
    description:
      'Process 0 writes 0x7f0000001234: the walk finds no PTE, so a fault gives the page frame pfn 6. ' +
      'Reading it again, the MMU walks PGD[254] → PUD[0] → PMD[0] → PTE[1] to pfn 6, and offset 0x234 makes physical address 0x6234.',
    params: base({ programs: [[wr(BUF + 0x1234), rd(BUF + 0x1234)]] }),
    schedule: all(0, [wr(BUF + 0x1234), rd(BUF + 0x1234)]),
  },
  'demand-faults': {
    title: 'Demand faults: the zero page, then a real frame',
    description:
      'Reading untouched anonymous pages maps the shared zero page (pfn 0) read-only; the first write to one replaces it with ' +
      'a zeroed frame, and a first write to another allocates one directly. Reading the file mapping reads data.bin into the page cache.',
    params: base({ programs: [[rd(page(0)), rd(page(1)), wr(page(0)), wr(page(2)), rd(FILE_MAP), rd(page(1))]] }),
    schedule: all(0, [rd(page(0)), rd(page(1)), wr(page(0)), wr(page(2)), rd(FILE_MAP), rd(page(1))]),
  },
  'first-touch': {
    title: 'A fresh buffer: one fault per page, then none',
    description:
      'Process 0 fills a fresh 4-page buffer: each first write faults and do_anonymous_page gives it a zeroed frame (pfns 6-9). ' +
      'Filling the same buffer again takes no fault: the PTEs are there, and the MMU walks straight to the frames.',
    params: base({ programs: [[...fill3, wr(page(3)), ...fill3, wr(page(3))]] }),
    schedule: all(0, [...fill3, wr(page(3)), ...fill3, wr(page(3))]),
  },
  'cow-after-fork': {
    title: 'Copy-on-write after fork',
    description:
      'Process 0 writes a page, then forks: both now map pfn 6 read-only (refcount 2). The parent\'s next write copies it to pfn 7; ' +
      'the child\'s write then finds pfn 6 with refcount 1 and reuses it without copying.',
    params: base({ programs: [[wr(page(0)), { kind: 'fork' }, wr(page(0))], [rd(page(0)), wr(page(0)), { kind: 'exit' }]] }),
    schedule: [P(0, wr(page(0))), P(0, { kind: 'fork' }), P(1, rd(page(0))), P(0, wr(page(0))), P(1, wr(page(0))), P(1, { kind: 'exit' })],
  },
  'dma-without-pin': {
    title: 'DMA without a pin: the data is lost',
    description:
      'The driver reads the frame numbers of a 3-page buffer (pfns 6, 7, 8) and starts a DMA without pinning anything. ' +
      'Compaction moves the middle page to pfn 15 mid-transfer; the device writes into the freed pfn 7, and the process reads its old "P0", not "DMA1".',
    params: base({
      programs: [[...fill3, ...read3]],
      driver: [{ kind: 'lookup_pfns', start: BUF, nrPages: 3 }, { kind: 'start_dma' }, { kind: 'wait_dma' }],
      kernel: { compaction: true, swap: false, maxEvents: 1 },
    }),
    schedule: [...all(0, fill3), DRV, DRV, DEV, COMPACT(7), DEV, DEV, DRV, ...all(0, read3)],
  },
  'dma-with-pin': {
    title: 'DMA into pinned pages',
    description:
      'pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) under mmap_read_lock first moves the buffer out of ZONE_MOVABLE (to pfns 1-3), then pins it ' +
      '(refcount 1025). Compaction skips the pinned page, the data arrives, and unpin_user_pages_dirty_lock marks the pages dirty.',
    params: base({
      programs: [[...fill3, ...read3]],
      driver: DMA_PINNED,
      kernel: { compaction: true, swap: false, maxEvents: 1 },
    }),
    schedule: [...all(0, fill3), DRV, DRV, DRV, DRV, DEV, COMPACT(2), DEV, DEV, DRV, DRV, ...all(0, read3)],
  },
  'partial-pin': {
    title: 'A partial pin',
    description:
      'The buffer is 2 pages with a hole after it. pin_user_pages for 4 pages faults in and pins 2, stops at the hole and returns 2; ' +
      'the driver releases exactly those 2. Starting in the hole, nothing is pinned and the call returns -EFAULT.',
    params: base({
      vmas: [{ ...BUF_VMA, length: 2 * PG }, FILE_VMA],
      driver: [
        { kind: 'mmap_read_lock' },
        { kind: 'pin_user_pages', start: BUF, nrPages: 4, flags: FOLL_WRITE },
        { kind: 'unpin_user_pages', npages: 2 },
        { kind: 'pin_user_pages', start: BUF + 2 * PG, nrPages: 1, flags: FOLL_WRITE },
        { kind: 'mmap_read_unlock' },
      ],
    }),
    schedule: [DRV, DRV, DRV, DRV, DRV],
  },
  'gup-history': {
    title: 'History: get_user_pages and put_page',
    description:
      'The old recipe: get_user_pages takes a plain reference (refcount 2), not a pin. Today the extra reference still stops compaction, ' +
      'so this DMA arrives; but folio_maybe_dma_pinned stays false, and set_page_dirty_lock + put_page is the pattern pin_user_pages.rst calls incorrect.',
    params: base({
      programs: [[...fill3, ...read3]],
      driver: [
        { kind: 'mmap_read_lock' },
        { kind: 'get_user_pages', start: BUF, nrPages: 3, flags: FOLL_WRITE },
        { kind: 'mmap_read_unlock' },
        { kind: 'start_dma' },
        { kind: 'wait_dma' },
        { kind: 'set_page_dirty_lock' },
        { kind: 'put_page' },
      ],
      kernel: { compaction: true, swap: false, maxEvents: 1 },
    }),
    schedule: [...all(0, fill3), DRV, DRV, DRV, DRV, DEV, COMPACT(7), DEV, DEV, DRV, DRV, DRV, ...all(0, read3)],
  },
  'gup-fork': {
    title: 'A plain reference is not enough: fork',
    description:
      'The driver holds pfn 6 with get_user_pages and starts a DMA; the process forks and then writes the page. Copy-on-write gives the ' +
      'parent a new frame (pfn 7), the device writes into the child\'s pfn 6, and the parent reads "P0".',
    params: base({
      programs: [[wr(page(0)), { kind: 'fork' }, wr(page(0)), rd(page(0))], [{ kind: 'exit' }]],
      driver: [
        { kind: 'mmap_read_lock' },
        { kind: 'get_user_pages', start: BUF, nrPages: 1, flags: FOLL_WRITE },
        { kind: 'mmap_read_unlock' },
        { kind: 'start_dma' },
        { kind: 'wait_dma' },
        { kind: 'set_page_dirty_lock' },
        { kind: 'put_page' },
      ],
    }),
    schedule: [P(0, wr(page(0))), DRV, DRV, DRV, DRV, P(0, { kind: 'fork' }), P(0, wr(page(0))), DEV, DRV, P(0, rd(page(0))), DRV, DRV, P(1, { kind: 'exit' })],
  },
  'pin-fork': {
    title: 'A pin survives fork',
    description:
      'The same run with pin_user_pages(FOLL_WRITE): fork sees the pinned page and copies it for the child at once, so the parent keeps ' +
      'pfn 6 writable, its write needs no fault, and the DMA data reaches the parent.',
    params: base({
      programs: [[wr(page(0)), { kind: 'fork' }, wr(page(0)), rd(page(0))], [{ kind: 'exit' }]],
      driver: [
        { kind: 'mmap_read_lock' },
        { kind: 'pin_user_pages', start: BUF, nrPages: 1, flags: FOLL_WRITE },
        { kind: 'mmap_read_unlock' },
        { kind: 'start_dma' },
        { kind: 'wait_dma' },
        { kind: 'unpin_user_pages_dirty_lock', makeDirty: true },
      ],
    }),
    schedule: [P(0, wr(page(0))), DRV, DRV, DRV, DRV, P(0, { kind: 'fork' }), P(0, wr(page(0))), DEV, DRV, P(0, rd(page(0))), DRV, P(1, { kind: 'exit' })],
  },
  'swap-out': {
    title: 'Swap-out and fault-in',
    description:
      'Reclaim writes the unpinned page in pfn 6 to swap slot 0 and frees the frame; another page takes pfn 6, so reading the ' +
      'swapped page faults it back in to pfn 7, contents intact.',
    params: base({
      programs: [[wr(page(0)), wr(page(1)), rd(page(0))]],
      kernel: { compaction: false, swap: true, maxEvents: 1 },
    }),
    schedule: [P(0, wr(page(0))), SWAP(6), P(0, wr(page(1))), P(0, rd(page(0)))],
  },
};
