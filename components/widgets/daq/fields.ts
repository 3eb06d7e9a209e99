/**
 * The data-acquisition widget's parameters, with no DOM: the parameters a learner may change
 * in the player's form (field, label, unit and scale), how the form's values become model
 * parameters (checked by the model itself: a bad value is a message, never a broken
 * player), and the settings of the ring-protocol panel (`DaqRingProof.astro`). The widget
 * itself is described in `definition.ts`.
 */
import { BUGGY_HANDLERS, correctHandler, DAQ_PRESETS, defaultParams, validateParams, type CostTable, type DaqParams, type IrqHandler, type RingParams } from '../../../sims/daq/index.ts';

export { DAQ_PRESETS };

/** One editable parameter: where it lives, how it is shown, and the factor from the shown unit to the model's. */
export interface Field {
  name: string;
  label: string;
  unit: string;
  /** Model value = shown value × scale. */
  scale: number;
  /** In `DaqParams` (`param`) or in its cost table (`cost`). */
  where: 'param' | 'cost';
  key: keyof DaqParams | keyof CostTable;
  /** Designs the field matters for. */
  designs: ('A' | 'B' | 'C')[];
  step: number;
}

export const FIELDS: readonly Field[] = [
  { name: 'rate', label: 'Device rate', unit: 'MB/s', scale: 1e6, where: 'param', key: 'rate_Bps', designs: ['A', 'B', 'C'], step: 1 },
  { name: 'fifo', label: 'FIFO size', unit: 'KiB', scale: 1024, where: 'param', key: 'fifo_bytes', designs: ['A', 'B', 'C'], step: 1 },
  { name: 'frame', label: 'Frame (ring buffer) size', unit: 'KiB', scale: 1024, where: 'param', key: 'frame_bytes', designs: ['A', 'C'], step: 1 },
  { name: 'read', label: 'read() size', unit: 'KiB', scale: 1024, where: 'param', key: 'read_bytes', designs: ['B'], step: 4 },
  { name: 'inflight', label: 'Reads in flight', unit: '', scale: 1, where: 'param', key: 'reads_in_flight', designs: ['B'], step: 1 },
  { name: 'ring', label: 'Buffers in the ring', unit: '', scale: 1, where: 'param', key: 'ring_buffers', designs: ['C'], step: 1 },
  { name: 'horizon', label: 'Device time to run', unit: 'ms', scale: 1e6, where: 'param', key: 'horizon_ns', designs: ['A', 'B', 'C'], step: 1 },
  { name: 'mmio', label: 'One readl() round trip', unit: 'ns', scale: 1, where: 'cost', key: 'mmio_read_ns', designs: ['A'], step: 1 },
  { name: 'syscall', label: 'System call', unit: 'ns', scale: 1, where: 'cost', key: 'syscall_ns', designs: ['A', 'B', 'C'], step: 1 },
  { name: 'wakeup', label: 'Wake-up of a sleeping task', unit: 'ns', scale: 1, where: 'cost', key: 'wakeup_ns', designs: ['B', 'C'], step: 1 },
  { name: 'consumer', label: 'Process uses data at', unit: 'MB/s', scale: 1e6, where: 'cost', key: 'consumer_Bps', designs: ['B', 'C'], step: 1 },
];

/** The value of `f` in `p`, in the shown unit. */
export function fieldValue(p: DaqParams, f: Field): number {
  const raw = f.where === 'param' ? (p[f.key as keyof DaqParams] as number) : p.costs[f.key as keyof CostTable];
  return Math.round((raw / f.scale) * 1000) / 1000;
}

/**
 * Model parameters from the form's values (shown units, as strings), starting from `base`.
 * Returns the parameters, or a message naming the field when a value is not a number or the
 * model rejects the result.
 */
export function paramsFromForm(base: DaqParams, values: Record<string, string>): DaqParams | string {
  const p: DaqParams = { ...base, costs: { ...base.costs } };
  for (const f of FIELDS) {
    if (!(f.name in values) || !f.designs.includes(base.design)) continue;
    const text = values[f.name].trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) return `${f.label}: "${values[f.name]}" is not a number.`;
    const model = Math.round(v * f.scale * 1000) / 1000;
    if (f.where === 'param') (p as unknown as Record<string, number>)[f.key] = model;
    else (p.costs as unknown as Record<string, number>)[f.key] = model;
  }
  try {
    validateParams(p);
  } catch (e) {
    return `These parameters cannot run: ${e instanceof Error ? e.message : String(e)}.`;
  }
  return p;
}

/** The preset named `key`, or throws naming the known ones (for the build). */
export function presetOf(key: string) {
  const p = Object.hasOwn(DAQ_PRESETS, key) ? DAQ_PRESETS[key] : undefined;
  if (!p) throw new Error(`<DaqSim preset="${key}">: unknown preset. Known presets: ${Object.keys(DAQ_PRESETS).join(', ')} (see sims/daq/presets.ts).`);
  return p;
}

export { defaultParams };

// ---- the ring-protocol panel (Prove it) ---------------------------------------------------

/** The variants the learner can pick in the ring panel. */
export const RING_VARIANTS = [
  { value: 'correct', label: 'The protocol as designed', note: 'sync, publish completed buffers, wake; release after reading; a full ring drops and counts' },
  { value: 'publish-started', label: 'Publish produced when the DMA starts', note: 'the handler publishes the DMAs started, not completed' },
  { value: 'publish-before-sync', label: 'Publish before the sync for the CPU', note: 'only matters on a non-coherent machine' },
  { value: 'release-before-read', label: 'Release a buffer before reading it', note: 'user space hands the buffer back, then reads it' },
  { value: 'refill-full', label: 'Let the device refill a full ring', note: 'no overrun: the device overwrites the oldest buffer' },
] as const;

export type RingVariant = (typeof RING_VARIANTS)[number]['value'];

/** The ring panel's settings. */
export interface RingConfig {
  variant: RingVariant;
  n: number;
  frames: number;
  coherent: boolean;
  /** Start the counters 2 below 2**32, so they wrap during the run. */
  nearWrap: boolean;
}

export const RING_DEFAULT: RingConfig = { variant: 'correct', n: 2, frames: 3, coherent: false, nearWrap: true };

/** Model parameters and handler of a panel configuration. Throws `RangeError` (from the model) on bad sizes. */
export function ringSetup(c: RingConfig): { params: RingParams; handler: IrqHandler } {
  const params: RingParams = {
    n: c.n,
    frames: c.frames,
    coherent: c.coherent,
    start: c.nearWrap ? 2 ** 32 - 2 : 0,
    consumer: c.variant === 'release-before-read' ? 'release-before-read' : 'correct',
    device: c.variant === 'refill-full' ? 'refill-full' : 'correct',
  };
  const handler = c.variant === 'publish-started' || c.variant === 'publish-before-sync' ? BUGGY_HANDLERS[c.variant].handler : correctHandler;
  return { params, handler };
}
