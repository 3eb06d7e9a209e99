/**
 * Ready-made runs of the caches-and-ownership model (`./coherence.ts`) for the lesson and the
 * player: the same few driver routines on the three platforms, each with a fixed schedule.
 *
 * The programs are recorded from routines written against the session API (`./session.ts`),
 * so "the same code" on two platforms is literally the same routine (the handles it records
 * differ where swiotlb bounces). The small configuration: 16-byte lines, 8 lines of RAM, the
 * driver's buffer at 0x40 (32 bytes, lines 4 and 5); on `'swiotlb'` the device reaches only
 * 0x00–0x3f and bounces through slots at 0x20–0x3f. The device receives the bytes 01 02 … 20.
 *
 * Schedules use `cohSched`: 'C' the CPU runs its next call, 'V' the device moves one line,
 * 'E4' the cache evicts line 4, 'F4' the CPU fills line 4 speculatively; 'C3' = three CPU
 * steps. Every schedule ends with the driver unbound. `coherence.test.ts` checks each outcome.
 */
import type { CohChoice, CoherenceParams } from './coherence-types.ts';
import { DMA_FROM_DEVICE, DMA_TO_DEVICE, recordRoutine } from './session.ts';
import type { DmaSession, DmaSessionOptions } from './session.ts';

/** A preset: menu title, a description, the parameters (with the program) and the schedule. */
export interface CoherencePreset {
  title: string;
  /** One or two plain sentences: what it shows and how it ends. */
  description: string;
  params: CoherenceParams;
  schedule: CohChoice[];
  /** How it ends, for tests and captions: the data the driver got is right; the rules the
   *  checker named, in order. */
  outcome: { dataRight: boolean; rules: string[] };
}

/**
 * Compact schedule notation: 'C' / 'V' with an optional repeat count ('C3'), 'E<line>' evict,
 * 'F<line>' speculative fill. Throws `Error` on a bad code.
 */
export function cohSched(...codes: string[]): CohChoice[] {
  return codes.flatMap((code): CohChoice[] => {
    const m = /^([CVEF])(\d*)$/.exec(code);
    if (!m) throw new Error(`coherence presets: bad schedule code ${JSON.stringify(code)}`);
    const n = m[2] === '' ? 1 : Number(m[2]);
    if (m[1] === 'E' || m[1] === 'F') {
      if (m[2] === '') throw new Error(`coherence presets: ${code} needs a line number`);
      return [{ kind: m[1] === 'E' ? 'evict' : 'fill', line: n }];
    }
    const kind = m[1] === 'C' ? 'cpu' : 'device';
    return Array.from({ length: n }, (): CohChoice => ({ kind }));
  });
}

/** The driver's receive buffer in the small configuration. */
export const BUF = 0x40;
/** Its length: two lines. */
export const LEN = 32;

/** The classic receive bug: the driver reads the packet while the device still owns the buffer
 *  (no `dma_sync_single_for_cpu`, unmap only afterwards). It zeroes the buffer first. */
export function rxNoSync(k: DmaSession): void {
  k.writeBuffer(BUF, Array.from({ length: LEN }, () => 0));
  const h = k.dma_map_single(BUF, LEN, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(h)) return;
  k.startDeviceReceive(h, LEN);
  k.waitForDevice();
  k.readBuffer(BUF, LEN);
  k.dma_unmap_single(h, LEN, DMA_FROM_DEVICE);
}

/** The right receive: map, start, wait, `dma_sync_single_for_cpu`, read, unmap. */
export function rxCorrect(k: DmaSession): void {
  const h = k.dma_map_single(BUF, LEN, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(h)) return;
  k.startDeviceReceive(h, LEN);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, LEN, DMA_FROM_DEVICE);
  k.readBuffer(BUF, LEN);
  k.dma_unmap_single(h, LEN, DMA_FROM_DEVICE);
}

/** The packet the transmit routines send. */
export const PACKET = Array.from({ length: LEN }, (_, i) => 0xa0 + (i % 16));

/** The transmit bug: the buffer is mapped once, then refilled without
 *  `dma_sync_single_for_device`, so nothing cleans the new bytes out of the cache. */
export function txNoClean(k: DmaSession): void {
  const h = k.dma_map_single(BUF, LEN, DMA_TO_DEVICE);
  if (k.dma_mapping_error(h)) return;
  k.writeBuffer(BUF, PACKET);
  k.startDeviceRead(h, LEN);
  k.waitForDevice();
  k.dma_unmap_single(h, LEN, DMA_TO_DEVICE);
}

/** The right transmit: fill, map (which cleans), start, wait, unmap. */
export function txCorrect(k: DmaSession): void {
  k.writeBuffer(BUF, PACKET);
  const h = k.dma_map_single(BUF, LEN, DMA_TO_DEVICE);
  if (k.dma_mapping_error(h)) return;
  k.startDeviceRead(h, LEN);
  k.waitForDevice();
  k.dma_unmap_single(h, LEN, DMA_TO_DEVICE);
}

/** A descriptor and a status word in one coherent buffer: no syncs at all. */
export function coherentRing(k: DmaSession): void {
  const b = k.dma_alloc_coherent(LEN);
  if (!b) return;
  k.writeBuffer(b.cpu_addr, [0x11, 0x22, 0x33, 0x44]);
  k.startDeviceRead(b.dma_handle, 4);
  k.waitForDevice();
  k.startDeviceWrite(b.dma_handle + 16, [0x0d, 0x0e]);
  k.waitForDevice();
  k.readBuffer(b.cpu_addr + 16, 2);
  k.dma_free_coherent(LEN, b.cpu_addr, b.dma_handle);
}

/** A catalogue of mistakes for the checker. */
export function misuses(k: DmaSession): void {
  const h = k.dma_map_single(BUF, LEN, DMA_FROM_DEVICE); // never checked with dma_mapping_error
  k.startDeviceReceive(h, LEN);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, LEN, DMA_TO_DEVICE); // the wrong direction
  k.readBuffer(BUF, LEN);
  k.dma_unmap_single(h, 16, DMA_FROM_DEVICE); // the wrong size
  k.dma_unmap_single(h, LEN, DMA_FROM_DEVICE); // twice
  const sgl = k.sg_init_table([
    { buf: 0x60, len: 16 },
    { buf: 0x70, len: 16 },
  ]);
  const n = k.dma_map_sg(sgl, sgl.orig_nents, DMA_TO_DEVICE);
  // n - 1 stands for the smaller count dma_map_sg returns behind an IOMMU that merged the two
  // entries (dma-direct returns nents): not the original nents, so entry 1 stays mapped.
  k.dma_unmap_sg(sgl, n - 1, DMA_TO_DEVICE);
  const t = k.dma_map_single(BUF, 16, DMA_TO_DEVICE);
  if (k.dma_mapping_error(t)) return;
  k.writeBuffer(BUF, [1, 2, 3, 4]); // the device owns it
  // never unmapped: dma-debug reports the leak when the driver is unbound
}

/** A 28-byte buffer at 0x44 sharing line 4 with a counter at 0x40 the driver updates during the
 *  DMA: the buffer is not cache-line aligned (ARCH_DMA_MINALIGN exists to prevent this). */
export function sharedLine(k: DmaSession): void {
  const h = k.dma_map_single(0x44, 28, DMA_FROM_DEVICE);
  if (k.dma_mapping_error(h)) return;
  k.startDeviceReceive(h, 28);
  k.writeBuffer(0x40, [0x99]); // the neighbour, not the buffer: no rule is broken
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, 28, DMA_FROM_DEVICE);
  k.readBuffer(0x44, 28);
  k.dma_unmap_single(h, 28, DMA_FROM_DEVICE);
}

function rec(options: DmaSessionOptions, routine: (k: DmaSession) => void): CoherenceParams {
  return recordRoutine(options, routine).params;
}

const ARM: DmaSessionOptions = { platform: 'noncoherent-arm' };

/** The presets, by id. */
export const COHERENCE_PRESETS: Record<string, CoherencePreset> = {
  'rx-no-sync-arm': {
    title: 'Receive without a sync on arm64',
    description:
      'The driver zeroes its buffer, maps it DMA_FROM_DEVICE and reads the packet without dma_sync_single_for_cpu. ' +
      'The map cleaned the zeroes to RAM but left them in the cache, so the read hits the stale lines and returns zeroes.',
    params: rec(ARM, rxNoSync),
    schedule: cohSched('C4', 'V2', 'C4'),
    outcome: { dataRight: false, rules: ['cpu-touch-device-owned'] },
  },
  'tx-no-clean-arm': {
    title: 'Transmit without a clean on arm64',
    description:
      'The driver maps its buffer once, then writes the packet into it and starts the device without dma_sync_single_for_device. ' +
      'The new bytes sit dirty in the cache; the device reads RAM and sends the old ones.',
    params: rec(ARM, txNoClean),
    schedule: cohSched('C4', 'V2', 'C3'),
    outcome: { dataRight: false, rules: ['cpu-touch-device-owned'] },
  },
  'works-on-x86': {
    title: 'The same receive bug "works" on x86',
    description:
      'The receive without a sync, on a coherent x86 machine: the device snoops the cache and invalidates the zeroed lines, so the read gets the packet. ' +
      'The data is right; the ownership rule is still broken, and only the simulator sees it.',
    params: rec({ platform: 'coherent-x86' }, rxNoSync),
    schedule: cohSched('C4', 'V2', 'C4'),
    outcome: { dataRight: true, rules: ['cpu-touch-device-owned'] },
  },
  'fails-with-swiotlb': {
    title: 'The same receive bug fails with swiotlb',
    description:
      'The receive without a sync, on x86 with a device that reaches only low memory: the device writes a swiotlb bounce slot, ' +
      'and nothing copies it back to the buffer before the read, so the read returns zeroes. Cache coherence does not help.',
    params: rec({ platform: 'swiotlb' }, rxNoSync),
    schedule: cohSched('C4', 'V2', 'C4'),
    outcome: { dataRight: false, rules: ['cpu-touch-device-owned'] },
  },
  'rx-correct': {
    title: 'Receive done right on arm64',
    description:
      'Map, start the device, wait, dma_sync_single_for_cpu, read, unmap. The CPU speculatively loads line 4 while the device owns it; ' +
      'the sync for the CPU invalidates that stale copy, so the read gets the packet.',
    params: rec(ARM, rxCorrect),
    schedule: cohSched('C3', 'F4', 'V2', 'C5'),
    outcome: { dataRight: true, rules: [] },
  },
  'tx-correct': {
    title: 'Transmit done right on arm64',
    description:
      'Write the packet, then map it DMA_TO_DEVICE: arch_sync_dma_for_device cleans the dirty lines to RAM, so the device sends the new bytes. ' +
      'A clean line evicted along the way changes nothing.',
    params: rec(ARM, txCorrect),
    schedule: cohSched('C4', 'E4', 'V2', 'C3'),
    outcome: { dataRight: true, rules: [] },
  },
  'coherent-alloc': {
    title: 'A coherent buffer needs no syncs',
    description:
      'dma_alloc_coherent on arm64 gives an uncached mapping: the CPU writes a descriptor straight to RAM, the device reads it, writes a status back, ' +
      'and the CPU reads it from RAM. No sync calls, nothing stale.',
    params: rec(ARM, coherentRing),
    schedule: cohSched('C3', 'V', 'C2', 'V', 'C4'),
    outcome: { dataRight: true, rules: [] },
  },
  'debug-checker': {
    title: 'What the DMA-API checker catches',
    description:
      'A driver that syncs in the wrong direction, unmaps with the wrong size and then again, unmaps a scatterlist with the count a merging IOMMU would have returned, ' +
      'never checks a mapping with dma_mapping_error, writes a buffer the device owns and leaves a mapping behind.',
    params: rec(ARM, misuses),
    schedule: cohSched('C2', 'V2', 'C12'),
    outcome: {
      dataRight: true,
      rules: ['sync-direction', 'unmap-size', 'map-error-not-checked', 'double-unmap', 'unmap-sg-count', 'cpu-touch-device-owned', 'leak'],
    },
  },
  'arm926-no-sync': {
    title: 'The receive bug on the seed\'s ARM926',
    description:
      'The receive without a sync on an ARM926EJ-S (the AT91SAM9263 board): its map invalidates the buffer for DMA_FROM_DEVICE and the core never loads ' +
      'lines speculatively, so the read misses and gets the packet. It works on this board and breaks on arm64.',
    params: rec({ platform: 'noncoherent-arm', arch: 'arm926' }, rxNoSync),
    schedule: cohSched('C4', 'V2', 'C4'),
    outcome: { dataRight: true, rules: ['cpu-touch-device-owned'] },
  },
  'shared-cacheline': {
    title: 'A buffer that shares a cache line',
    description:
      'The receive buffer starts 4 bytes into line 4, beside a counter the driver updates during the DMA. The update brings line 4 in with the old bytes; ' +
      'the sync for the CPU must clean that partial line before invalidating it, and the write-back overwrites 12 bytes the device had written. No rule is broken.',
    params: rec(ARM, sharedLine),
    schedule: cohSched('C4', 'V2', 'C5'),
    outcome: { dataRight: false, rules: [] },
  },
};
