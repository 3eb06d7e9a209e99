/**
 * Share links of the data-acquisition model: "this preset's player, these parameters, this
 * schedule, at this step", safe in a URL fragment (`#sim=<text>`). Built on the helpers and
 * the preset codec of `../core/share.ts`.
 *
 * Two formats:
 *
 *     daq.1.<preset>.<choices>.<step>             the preset's own parameters
 *     daq.2.<preset>.<changes>.<choices>.<step>   the preset's parameters with changes
 *
 * - Version 1 is the preset codec of `../core/share.ts` (every preset player's format).
 * - Version 2 carries what a learner changed in the player's form: `<changes>` is base64url
 *   (RFC 4648 §5, no padding) of bytes: for each changed number, one byte, its index in
 *   `DAQ_SHARE_KEYS`, then an unsigned LEB128 varint of the value × 1000 (the form keeps
 *   values to 0.001 of the model's unit). Indexes strictly increase; at least one change.
 *   The design is always the preset's (a link opens in the player of that preset).
 * - `<choices>` and `<step>` as in the preset codec: one base64url character per step, the
 *   index of the choice among `daqModel.enabled(state)`, replayed from the link's parameters.
 *
 * `encodeDaqShare` writes version 1 when the parameters are the preset's, version 2
 * otherwise. Example: design B with `read_bytes` 4 MiB and two reads in flight, at step 0, is
 * `daq.2.design-b.BICAgNAPBdAP..0`.
 *
 * Decoding checks everything with the model (`validateParams`, then a replay) and never
 * throws: every failure is `{ ok: false, kind, error }` with a sentence a learner can act
 * on. Pure: no DOM, no clock.
 */
import {
  ByteReader,
  decodePresetShare,
  encodePresetShare,
  fromBase64Url,
  parseShareHead,
  PRESET_SHARE_VERSION,
  pushVarint,
  ShareFormatError,
  shareFailure,
  toBase64Url,
  versionMessage,
  type PresetShareSpec,
  type ShareFailure,
} from '../core/share.ts';
import type { CostTable } from './costs.ts';
import { daqModel, validateParams, type DaqChoice, type DaqParams, type DaqState } from './model.ts';
import { DAQ_PRESETS } from './presets.ts';

/** The version of the link format with parameter changes. */
export const DAQ_PARAMS_SHARE_VERSION = 2;

/** The model in words, for messages. */
const NOUN = 'data-acquisition simulation';

/** The daq model and its presets, as the preset codec takes them (version 1 links). */
export const DAQ_SHARE: PresetShareSpec<DaqParams, DaqState, DaqChoice> = { model: daqModel, presets: DAQ_PRESETS, noun: NOUN };

/** A number of `DaqParams` a link can change: a top-level field, or one of the cost table. */
export type DaqShareKey = { param: Exclude<keyof DaqParams, 'design' | 'costs'> } | { cost: keyof CostTable };

/**
 * Every number a version 2 link can change, by index (the order is part of the format:
 * append only, never reorder).
 */
export const DAQ_SHARE_KEYS: readonly DaqShareKey[] = [
  { param: 'rate_Bps' },
  { param: 'fifo_bytes' },
  { param: 'chunk_bytes' },
  { param: 'frame_bytes' },
  { param: 'read_bytes' },
  { param: 'reads_in_flight' },
  { param: 'ring_buffers' },
  { param: 'horizon_ns' },
  { cost: 'mmio_read_ns' },
  { cost: 'mmio_read_bytes' },
  { cost: 'mmio_write_ns' },
  { cost: 'poll_sleep_ns' },
  { cost: 'syscall_ns' },
  { cost: 'signal_ns' },
  { cost: 'wakeup_ns' },
  { cost: 'irq_ns' },
  { cost: 'copy_Bps' },
  { cost: 'pin_ns_per_page' },
  { cost: 'unpin_ns_per_page' },
  { cost: 'sg_ns_per_page' },
  { cost: 'map_ns_per_seg' },
  { cost: 'unmap_ns_per_seg' },
  { cost: 'dma_Bps' },
  { cost: 'consumer_Bps' },
];

/** The value of key `k` in `p`. */
function valueOf(p: DaqParams, k: DaqShareKey): number {
  return 'param' in k ? p[k.param] : p.costs[k.cost];
}

/** A copy of `p` with key `k` set to `v`. */
function withValue(p: DaqParams, k: DaqShareKey, v: number): DaqParams {
  return 'param' in k ? { ...p, [k.param]: v } : { ...p, costs: { ...p.costs, [k.cost]: v } };
}

/** The name of key `k` for messages: `read_bytes`, `costs.syscall_ns`. */
function nameOf(k: DaqShareKey): string {
  return 'param' in k ? k.param : `costs.${k.cost}`;
}

/** True when `a` and `b` are the same run parameters (design and every number of `DAQ_SHARE_KEYS`). */
export function sameDaqParams(a: DaqParams, b: DaqParams): boolean {
  return a.design === b.design && DAQ_SHARE_KEYS.every((k) => valueOf(a, k) === valueOf(b, k));
}

/** A run of a daq player to share. */
export interface SharedDaqRun {
  /** A key of `DAQ_PRESETS`: the player the link opens in. */
  preset: string;
  /** The run's parameters: the preset's, or the preset's with changes (same design). */
  params: DaqParams;
  /** Choices from the initial state of `params`. */
  schedule: readonly DaqChoice[];
  /** Index of the state to show, 0 to `schedule.length`. */
  step: number;
}

/** What `decodeDaqShare` returns. */
export type DaqShareDecode = ({ ok: true; changed: boolean } & SharedDaqRun & { schedule: DaqChoice[] }) | ShareFailure;

/** The preset codec's spec with `preset` mapped to `params` (to encode or replay choices from other parameters). */
function specWith(preset: string, params: DaqParams): PresetShareSpec<DaqParams, DaqState, DaqChoice> {
  return { ...DAQ_SHARE, presets: { [preset]: { params } } };
}

/**
 * Share text of a daq run: version 1 when `run.params` are the preset's, version 2 (with the
 * changes) otherwise. Throws `RangeError` for an unknown preset, parameters of another design,
 * a changed number that is negative, above 2^49 / 1000 or not a multiple of 0.001, and
 * whatever `encodePresetShare` throws (a schedule that does not replay from `run.params`, a
 * step outside it).
 */
export function encodeDaqShare(run: SharedDaqRun): string {
  const preset = Object.hasOwn(DAQ_PRESETS, run.preset) ? DAQ_PRESETS[run.preset] : undefined;
  if (!preset) throw new RangeError(`share link: unknown ${NOUN} preset ${JSON.stringify(run.preset)}`);
  if (run.params.design !== preset.params.design) throw new RangeError(`share link: the preset ${run.preset} is design ${preset.params.design}, the run is design ${run.params.design}`);
  if (sameDaqParams(run.params, preset.params)) return encodePresetShare(DAQ_SHARE, run);
  const bytes: number[] = [];
  DAQ_SHARE_KEYS.forEach((k, i) => {
    const v = valueOf(run.params, k);
    if (v === valueOf(preset.params, k)) return;
    const milli = Math.round(v * 1000);
    if (!(v >= 0) || !Number.isSafeInteger(milli) || milli >= 2 ** 49 || Math.abs(milli - v * 1000) > 1e-6 * Math.max(1, milli)) {
      throw new RangeError(`share link: ${nameOf(k)} = ${v} cannot be carried by a link (a number from 0 to 5.6e11 in steps of 0.001)`);
    }
    bytes.push(i);
    pushVarint(bytes, milli);
  });
  const v1 = encodePresetShare(specWith(run.preset, run.params), run);
  const [, , key, choices, step] = v1.split('.');
  return `${daqModel.id}.${DAQ_PARAMS_SHARE_VERSION}.${key}.${toBase64Url(bytes)}.${choices}.${step}`;
}

/** The preset's parameters with the changes of a version 2 link; throws `ShareFormatError` for damaged bytes. */
function applyChanges(base: DaqParams, text: string): DaqParams {
  const bytes = fromBase64Url(text);
  if (!bytes || bytes.length === 0) throw new ShareFormatError('the changed parameters are not valid');
  const r = new ByteReader(bytes);
  let p = base;
  let last = -1;
  while (!r.done) {
    const i = r.byte();
    if (i <= last || i >= DAQ_SHARE_KEYS.length) throw new ShareFormatError('the changed parameters name an unknown setting');
    last = i;
    p = withValue(p, DAQ_SHARE_KEYS[i], r.varint() / 1000);
  }
  return p;
}

/**
 * Decodes daq share text (what follows `#sim=`), version 1 or 2. Never throws. On success
 * returns the preset, the parameters (the preset's, or with the link's changes: `changed`),
 * the replayed schedule and the step; on failure the kinds of `decodePresetShare`, and for
 * version 2: `malformed` (not six fields, damaged changes), `invalid-params` (an unknown
 * preset, or changes the model rejects, with its reason).
 */
export function decodeDaqShare(text: unknown): DaqShareDecode {
  const head = parseShareHead(text);
  if ('ok' in head) return head;
  if (head.model !== daqModel.id) return shareFailure('unknown-model', `This link is for the simulation “${head.model}”, not the ${NOUN}.`);
  if (head.version === PRESET_SHARE_VERSION) {
    const d = decodePresetShare(DAQ_SHARE, text);
    return d.ok ? { ok: true, changed: false, preset: d.preset, params: DAQ_PRESETS[d.preset].params, schedule: d.schedule, step: d.step } : d;
  }
  if (head.version !== DAQ_PARAMS_SHARE_VERSION) return shareFailure('outdated', versionMessage(NOUN, head.version, DAQ_PARAMS_SHARE_VERSION));
  const parts = head.parts;
  if (parts.length !== 6) return shareFailure('malformed', `This link is damaged: it should have 6 parts separated by dots, and has ${parts.length}.`);
  const [, , key, changes, choices, step] = parts;
  const preset = /^[a-z0-9][a-z0-9-]{0,39}$/.test(key) && Object.hasOwn(DAQ_PRESETS, key) ? DAQ_PRESETS[key] : undefined;
  if (!preset) return shareFailure('invalid-params', `This link is for the ${NOUN} “${key}”, which this site does not have.`);
  let params: DaqParams;
  try {
    params = applyChanges(preset.params, changes);
  } catch (e) {
    if (e instanceof ShareFormatError) return shareFailure('malformed', `This link is damaged: ${e.message}.`);
    throw e;
  }
  try {
    validateParams(params);
  } catch (e) {
    return shareFailure('invalid-params', `This link’s parameters cannot run: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const d = decodePresetShare(specWith(key, params), `${daqModel.id}.${PRESET_SHARE_VERSION}.${key}.${choices}.${step}`);
  return d.ok ? { ok: true, changed: true, preset: key, params, schedule: d.schedule, step: d.step } : d;
}
