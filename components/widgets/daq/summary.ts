/**
 * Build-time figures for the lesson's text: each preset run over the long horizon
 * (`longParams`, 1 s of device time), summarised, and formatted. Every number the lesson
 * prints about the designs comes from here (or from the formula), never typed by hand.
 */
import { COST_SOURCES, DAQ_PRESETS, DEFAULT_COSTS, longParams, runToHorizon, summarize, throughput, type CostTable, type DaqSummary } from '../../../sims/daq/index.ts';
import { dur, mbps, num } from './format.ts';

const cache = new Map<string, DaqSummary>();

/** The long-run summary of a preset (cached per build). Throws naming the known presets. */
export function presetSummary(key: string): DaqSummary {
  const hit = cache.get(key);
  if (hit) return hit;
  const pr = Object.hasOwn(DAQ_PRESETS, key) ? DAQ_PRESETS[key] : undefined;
  if (!pr) throw new Error(`unknown daq preset "${key}"; known: ${Object.keys(DAQ_PRESETS).join(', ')}`);
  const m = summarize(runToHorizon(longParams(pr.params)));
  cache.set(key, m);
  return m;
}

/** Metrics `figure` can print. */
export type Metric = 'delivered' | 'collected' | 'lost-pct' | 'copies' | 'syscalls' | 'signals' | 'irqs' | 'cpu' | 'overruns' | 'formula' | 'limit';

/** The rows of the "where the time goes" table (`DaqBreakdown.astro`), in order: metric -> row heading. */
export const BREAKDOWN_METRICS: Readonly<Partial<Record<Metric, string>>> = {
  delivered: 'Delivered to the process',
  'lost-pct': 'Of what the device produced, lost',
  copies: 'CPU copies per byte',
  syscalls: 'System calls per MiB',
  signals: 'Signals per MiB',
  irqs: 'Interrupts per MiB',
  cpu: 'CPU busy (% of one CPU)',
};

/** One figure of a preset, formatted for the text. */
export function figure(key: string, metric: Metric): string {
  const m = presetSummary(key);
  switch (metric) {
    case 'delivered':
      return mbps(m.delivered_Bps);
    case 'collected':
      return mbps(m.collected_Bps);
    case 'lost-pct':
      return `${num(m.lost_fraction * 100, 1)}%`;
    case 'copies':
      return num(m.copies_per_byte, 2);
    case 'syscalls':
      return num(m.syscalls_per_MiB, 2);
    case 'signals':
      return num(m.signals_per_MiB, 2);
    case 'irqs':
      return num(m.interrupts_per_MiB, 2);
    case 'cpu':
      return `${num(m.cpu_busy_pct, 1)}%`;
    case 'overruns':
      return num(m.overruns);
    case 'formula':
      return mbps(throughput(DAQ_PRESETS[key].params).delivered_Bps);
    case 'limit':
      return throughput(DAQ_PRESETS[key].params).limit;
  }
}

/** Human names of the breakdown terms. */
export const TERM_NAMES: Record<string, string> = {
  mmio_read: 'CPU reads of the device (readl, PCIe round trips)',
  poll_sleep: 'asleep in msleep(1) (not CPU time)',
  signal: 'signal delivery and handler entry',
  syscall: 'system call entry and exit',
  copy_to_user: 'copy_to_user (the second copy)',
  pin: 'pin_user_pages_fast',
  sg_table: 'sg_alloc_table_from_pages_segment',
  dma_map: 'dma_map_sgtable',
  descriptors: 'writing descriptors (posted MMIO writes)',
  irq: 'MSI interrupt handler',
  wakeup: 'waking a sleeping task',
  dma_unmap: 'dma_unmap_sgtable',
  unpin: 'unpin_user_pages_dirty_lock',
  consume: 'the process using the data',
};

/** Rows of the "where the time goes" table: term and µs per delivered MiB, largest first. */
export function breakdownRows(key: string): { term: string; name: string; value: string; ns: number }[] {
  const b = presetSummary(key).breakdown_ns_per_MiB;
  return Object.entries(b)
    .filter(([, v]) => v > 0)
    .sort((a, b2) => b2[1] - a[1])
    .map(([term, ns]) => ({ term, name: TERM_NAMES[term] ?? term, value: dur(ns), ns }));
}

/** The cost table with each default's value (with unit) and its source. */
export function costRows(): { key: string; value: string; kind: string; note: string }[] {
  return (Object.keys(DEFAULT_COSTS) as (keyof CostTable)[]).map((k) => {
    const v = DEFAULT_COSTS[k];
    const value = k.endsWith('_Bps') ? mbps(v) : k.endsWith('_bytes') ? `${v} bytes` : dur(v);
    return { key: k, value, kind: COST_SOURCES[k].kind, note: COST_SOURCES[k].note };
  });
}
