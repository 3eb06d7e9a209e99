/**
 * Ready-made runs of the data-acquisition model (`./model.ts`) for the lesson and the player.
 * Each preset runs its parameters to the horizon with the scheduler's default (the earliest
 * event first; `schedule` is empty: the player replays the run by stepping). Horizons are
 * short so the player's timeline stays a few hundred steps; the lesson's headline numbers use
 * the same parameters over a longer horizon (`LONG_HORIZON_NS`).
 */
import { defaultParams, type DaqChoice, type DaqParams } from './model.ts';

export interface DaqPreset {
  title: string;
  /** One or two plain sentences: what the preset shows. */
  description: string;
  params: DaqParams;
  schedule?: DaqChoice[];
}

/** Horizon the lesson's summary numbers use: 1 s of device time (so start-up and the last frames in flight weigh little). */
export const LONG_HORIZON_NS = 1_000_000_000;

/** The long run of a preset's parameters, for summary numbers. */
export function longParams(p: DaqParams): DaqParams {
  return { ...p, horizon_ns: LONG_HORIZON_NS };
}

export const DAQ_PRESETS: Record<string, DaqPreset> = {
  'design-a': {
    title: 'Design A: a polling kernel thread, readl(), a signal and copy_to_user',
    description: 'The kernel thread copies each 64 KiB transaction out of device memory with CPU reads, one PCIe round trip per 4 bytes, and signals the process every 256 KiB frame. The FIFO is full almost all the time and the device loses what it cannot store.',
    params: defaultParams('A', { frame_bytes: 256 * 1024, horizon_ns: 300_000_000 }),
  },
  'design-b': {
    title: 'Design B: one blocking read() at a time, DMA into pinned pages',
    description: 'Each read() pins 1 MiB of user memory, maps it and hands the device 256 descriptors; the device writes straight into the process. Between reads the device has no descriptors and its FIFO fills.',
    params: defaultParams('B', { horizon_ns: 8_000_000 }),
  },
  'design-b-two-reads': {
    title: 'Design B with two reads in flight',
    description: 'A second read is queued at the device before the first completes (two threads, or io_uring), so the device always has descriptors.',
    params: defaultParams('B', { reads_in_flight: 2, horizon_ns: 8_000_000 }),
  },
  'design-c': {
    title: 'Design C: a ring of 8 DMA buffers mapped once',
    description: 'The device fills 1 MiB buffers of a ring the process mapped once; the interrupt handler publishes produced, the process uses buffers in place and hands them back.',
    params: defaultParams('C', { horizon_ns: 8_000_000 }),
  },
  'design-c-overrun': {
    title: 'Design C with a consumer that falls behind',
    description: 'The process uses the data at 250 MB/s while the device produces 350 MB/s, with a ring of 4 buffers: the ring fills, the DMA engine stops, and the driver counts overruns instead of overwriting a buffer the process still owns.',
    params: defaultParams('C', { ring_buffers: 4, horizon_ns: 30_000_000, costs: { consumer_Bps: 250e6 } }),
  },
};
