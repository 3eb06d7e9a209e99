/**
 * Number and text formatting of the data-acquisition widget, with no DOM: units (MB/s,
 * KiB, µs), the counters shown under the timeline, and the narration of a state. Used by
 * the server component and the element alike.
 */
import { summarize, type DaqState, type RingState } from '../../../sims/daq/index.ts';
import { noSourceByActor } from '../../player/definition.ts';

/** `1,234.5` style with a fixed number of decimals (en-US grouping). */
export function num(x: number, decimals = 0): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Decimal megabytes per second: `349.9 MB/s`. */
export function mbps(Bps: number): string {
  return `${num(Bps / 1e6, Bps < 1e7 ? 2 : 1)} MB/s`;
}

/** Bytes as B, KiB or MiB (binary units). */
export function bytes(b: number): string {
  if (b < 1024) return `${num(b)} B`;
  if (b < 1 << 20) return `${num(b / 1024, b % 1024 ? 1 : 0)} KiB`;
  return `${num(b / (1 << 20), b % (1 << 20) ? 2 : 0)} MiB`;
}

/** Nanoseconds as ns, µs, ms or s. */
export function dur(ns: number): string {
  if (ns < 1000) return `${num(ns)} ns`;
  if (ns < 1e6) return `${num(ns / 1e3, ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${num(ns / 1e6, ns < 1e7 ? 2 : 1)} ms`;
  return `${num(ns / 1e9, 2)} s`;
}

/** One counter: label, value text, and an optional warning flag. */
export interface Counter {
  key: string;
  label: string;
  value: string;
  bad?: boolean;
}

/** The counters of a state, in display order. */
export function counters(s: DaqState): Counter[] {
  const m = summarize(s);
  const c = s.counters;
  const out: Counter[] = [
    { key: 'time', label: 'Device time', value: dur(s.t_ns) },
    { key: 'delivered', label: 'Delivered to the process', value: `${bytes(c.delivered_bytes)} (${mbps(m.delivered_Bps)})` },
    { key: 'lost', label: 'Lost (FIFO overflow)', value: `${bytes(Math.round(c.lost_bytes))} (${num(m.lost_fraction * 100, 1)}% of produced)`, bad: c.lost_bytes > 0 },
    { key: 'fifo', label: 'FIFO now', value: `${bytes(Math.round(s.fifo_level))} of ${bytes(s.params.fifo_bytes)}`, bad: s.fifo_level >= s.params.fifo_bytes },
    { key: 'copies', label: 'CPU copies per byte', value: num(m.copies_per_byte, 2) },
    { key: 'syscalls', label: 'System calls per MiB', value: num(m.syscalls_per_MiB, 2) },
    { key: 'signals', label: 'Signals per MiB', value: num(m.signals_per_MiB, 2) },
    { key: 'irqs', label: 'Interrupts per MiB', value: num(m.interrupts_per_MiB, 2) },
    { key: 'cpu', label: 'CPU busy (% of one CPU)', value: `${num(m.cpu_busy_pct, 1)}%` },
  ];
  if (s.params.design === 'C') out.push({ key: 'overruns', label: 'Overruns counted', value: num(c.overruns), bad: c.overruns > 0 });
  return out;
}

/** Narration of a state: its step event, or the opening sentence of the design. */
export function narrationOf(s: DaqState): string {
  if (s.event) return s.event.narration;
  switch (s.params.design) {
    case 'A':
      return `The device starts producing ${mbps(s.params.rate_Bps)} into its ${bytes(s.params.fifo_bytes)} FIFO; the kernel thread reads the data-ready register.`;
    case 'B':
      return `The device starts producing ${mbps(s.params.rate_Bps)}; the process calls read() for ${bytes(s.params.read_bytes)}.`;
    case 'C':
      return `The ring of ${s.params.ring_buffers} buffers of ${bytes(s.params.frame_bytes)} is mapped and armed; the device starts producing ${mbps(s.params.rate_Bps)}.`;
  }
}

/** The muted chip for a step outside kernel code. */
export const noSourceText = noSourceByActor((s: DaqState) => s.event?.actor, {
  dma: 'the device: no CPU involved',
  process: 'user space',
});

/** Owner names of the ring, for text. */
export const OWNER_TEXT = { device: 'device (armed for DMA)', driver: 'driver (filled, not yet published)', user: 'user space' } as const;

/** A short line for a ring-protocol state: the counters and who owns what. */
export function ringLine(s: RingState): string {
  return `produced ${s.produced}, consumed ${s.consumed}, DMAs completed ${s.completed}; overruns ${s.overruns}; user space received frames ${s.received.length ? s.received.join(', ') : 'none'}`;
}
