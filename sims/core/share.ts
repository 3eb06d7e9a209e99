/**
 * Share links, the model-free part: a compact, versioned text form of "this model, this run,
 * at this step", safe in a URL fragment (`#sim=<text>`), so an instructor can say "open
 * this, we are at step 17" and every learner's player shows that exact state.
 *
 * Every link starts `<model>.<version>.`; `<model>` is a `Model.id` (`tty`, `mm`, `dma`,
 * `dma-coherence`, `uio`, `daq`). This file knows no model: it holds the text helpers
 * (base64url, varints), the head parser, and the **preset codec** every preset player uses,
 * given a model and its presets by the caller (`PresetShareSpec`). A model with a richer
 * format (the tty model's links carry any parameters: `sims/tty/share.ts`) writes its own
 * codec on the same helpers.
 *
 * Preset format, version 1 (the memory model's links have had it since they existed):
 *
 *     <model>.1.<preset>.<choices>.<step>
 *
 * - `<preset>`: a key of the model's presets (`[a-z0-9][a-z0-9-]*`); the parameters are
 *   the preset's, so a link cannot carry parameters the lesson never showed.
 * - `<choices>`: one character per step, the index of the choice taken among
 *   `model.enabled(state)` at that step, in the base64url alphabet (`A` = 0, `B` = 1, …,
 *   so at most 64 choices a step). The preset's own timeline and a learner's choices
 *   (playing the scheduler) encode the same way.
 * - `<step>`: the step shown, a decimal integer from 0 to the length of `<choices>`.
 *
 * Example: the memory model's `translate` preset at its last step is `mm.1.translate.AA.2`.
 *
 * Decoding checks everything with the model itself (a replay from the preset's initial
 * state) and never throws: every failure is `{ ok: false, kind, error }` with a sentence a
 * learner can act on. Pure: no DOM, no clock.
 */
import type { Model } from './model.ts';

/** Longest share text accepted, in characters. */
export const MAX_SHARE_LENGTH = 8192;
/** Longest schedule a link may carry, in steps (the player's own timeline limit). */
export const MAX_SHARE_STEPS = 5000;
/** The version of the preset link format (`<model>.1.<preset>.<choices>.<step>`). */
export const PRESET_SHARE_VERSION = 1;

/** Why a link could not be opened. */
export type ShareErrorKind =
  /** Not a link of this format at all, or damaged (truncated, bad characters). */
  | 'malformed'
  /** A model this page does not know. */
  | 'unknown-model'
  /** A format version other than the current one (older or newer). */
  | 'outdated'
  /** Well-formed, but the model rejects the parameters, or the preset does not exist. */
  | 'invalid-params'
  /** The schedule cannot be replayed: a choice is not enabled at some step. */
  | 'replay'
  /** Valid, but too large to replay in a page. */
  | 'too-large';

/** A failed decode: the kind, and one sentence for the learner. */
export interface ShareFailure {
  ok: false;
  kind: ShareErrorKind;
  error: string;
}

/** A failure result. */
export const shareFailure = (kind: ShareErrorKind, error: string): ShareFailure => ({ ok: false, kind, error });

// ---------------------------------------------------------------------------------------
// base64url without padding (no `btoa`: sims/ compiles without the DOM lib).

/** The base64url alphabet (RFC 4648 §5); a choice index `k` is written as `B64[k]`. */
export const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX: Record<string, number> = Object.fromEntries([...B64].map((c, i) => [c, i]));

/** The value (0..63) of a base64url character, or undefined. */
export function b64Value(ch: string): number | undefined {
  return Object.hasOwn(B64_INDEX, ch) ? B64_INDEX[ch] : undefined;
}

/** Bytes (each 0..255) to base64url text without padding. */
export function toBase64Url(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/**
 * base64url text (no padding) to bytes; null when it is not canonical base64url (a
 * character outside the alphabet, an impossible length, or stray bits in the last char).
 */
export function fromBase64Url(text: string): number[] | null {
  if (text.length % 4 === 1) return null;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = b64Value(ch);
    if (v === undefined) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 255);
      acc &= (1 << bits) - 1;
    }
  }
  // Left-over bits must be zero, so every byte string has exactly one spelling.
  if (acc !== 0) return null;
  return out;
}

// ---------------------------------------------------------------------------------------
// Varints (unsigned LEB128) of non-negative integers below 2^49.

/** Appends `n` (a non-negative integer below 2^49) to `out` as an unsigned LEB128 varint. */
export function pushVarint(out: number[], n: number): void {
  let v = n;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** A damaged settings field (thrown by `ByteReader`, turned into a `malformed` failure). */
export class ShareFormatError extends Error {}

/** Reads bytes and varints from a decoded settings field; throws `ShareFormatError` past the end. */
export class ByteReader {
  pos = 0;
  private readonly bytes: readonly number[];
  constructor(bytes: readonly number[]) {
    this.bytes = bytes;
  }
  /** True when every byte has been read. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  /** The next byte. */
  byte(): number {
    if (this.pos >= this.bytes.length) throw new ShareFormatError('the settings end too early');
    return this.bytes[this.pos++];
  }
  /** The next varint (at most 7 bytes). */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      v += (b & 127) * scale;
      if ((b & 128) === 0) return v;
      scale *= 128;
    }
    throw new ShareFormatError('a number in the settings is too long');
  }
}

// ---------------------------------------------------------------------------------------
// The head: which model, which version.

/** The first two fields of a link, and all of its fields. */
export interface ShareHead {
  model: string;
  version: number;
  /** Every dot-separated field, the model and version included. */
  parts: string[];
}

/**
 * Reads `<model>.<version>.` from share text. Never throws: a failure is `malformed` (no
 * text, too long, no model name, no version number).
 */
export function parseShareHead(text: unknown): ShareHead | ShareFailure {
  if (typeof text !== 'string' || text.length === 0) return shareFailure('malformed', 'This link has no simulation in it.');
  if (text.length > MAX_SHARE_LENGTH) return shareFailure('malformed', `This link is too long to be a simulation link (${text.length} characters).`);
  const parts = text.split('.');
  const [model, version] = parts;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(model)) return shareFailure('malformed', 'This link is damaged: it does not start with the name of a simulation.');
  if (parts.length < 2 || !/^\d{1,6}$/.test(version)) return shareFailure('malformed', `This link is damaged: the version number after “${model}.” is missing.`);
  return { model, version: Number(version), parts };
}

/** The sentence for a link of format version `got` when this site reads `want`. */
export function versionMessage(noun: string, got: number, want: number): string {
  return got < want
    ? `This link was made for an older version (${got}) of the ${noun}; this site reads version ${want}. Ask for a fresh link.`
    : `This link was made by a newer version (${got}) of the ${noun} than this site has (${want}). Reload the site, or ask for a link from this version.`;
}

/** Parses the last field, the step: a decimal integer from 0 to `max`; a failure otherwise. */
export function parseStep(text: string, max: number): number | ShareFailure {
  if (!/^(0|[1-9]\d{0,5})$/.test(text)) return shareFailure('malformed', 'This link is damaged: the step at the end is not a number.');
  const step = Number(text);
  if (step > max) return shareFailure('malformed', `This link is damaged: it asks for step ${step}, but its schedule has only ${max} steps.`);
  return step;
}

// ---------------------------------------------------------------------------------------
// The preset codec.

/** What the preset codec needs to know about a model: given by the caller, never imported here. */
export interface PresetShareSpec<P, S, C> {
  /** The model; its `id` starts the link. */
  model: Model<P, S, C>;
  /** Its presets by key (each with its parameters and, optionally, a schedule and a title). */
  presets: Readonly<Record<string, { params: P; title?: string }>>;
  /** The model in words, for messages: "memory simulation". */
  noun: string;
  /** Seed of the preset's initial state (players use 1). */
  seed?: number;
}

/** A preset run: which preset, the choices from its initial state, and the step shown. */
export interface PresetRun<C> {
  preset: string;
  schedule: readonly C[];
  /** Index of the state to show, 0 (initial state) to `schedule.length`. */
  step: number;
}

/** What `decodePresetShare` returns. */
export type PresetDecode<C> = ({ ok: true; model: string } & PresetRun<C> & { schedule: C[] }) | ShareFailure;

/**
 * Encodes a preset run as share text, e.g. `mm.1.translate.AA.2`: replays the schedule to
 * find each choice's index among the enabled choices. Throws `RangeError` for an unknown
 * preset, a schedule that does not replay, one longer than `MAX_SHARE_STEPS`, a choice
 * index above 63, or a step outside `0..schedule.length`.
 */
export function encodePresetShare<P, S, C>(spec: PresetShareSpec<P, S, C>, run: PresetRun<C>): string {
  const { model } = spec;
  const preset = Object.hasOwn(spec.presets, run.preset) ? spec.presets[run.preset] : undefined;
  if (!preset) throw new RangeError(`share link: unknown ${spec.noun} preset ${JSON.stringify(run.preset)}`);
  if (run.schedule.length > MAX_SHARE_STEPS) throw new RangeError(`share link: a schedule of ${run.schedule.length} steps is longer than ${MAX_SHARE_STEPS}`);
  if (!Number.isInteger(run.step) || run.step < 0 || run.step > run.schedule.length) {
    throw new RangeError(`share link: step must be an integer from 0 to ${run.schedule.length}, got ${run.step}`);
  }
  let state = model.initialState(preset.params, spec.seed ?? 1);
  let out = '';
  run.schedule.forEach((c, i) => {
    const k = model.enabled(state).findIndex((e) => model.sameChoice(e, c));
    if (k < 0) throw new RangeError(`share link: step ${i + 1} of the schedule is not possible`);
    if (k >= B64.length) throw new RangeError(`share link: choice ${k} at step ${i + 1} cannot be encoded (at most 64 choices)`);
    out += B64[k];
    state = model.step(state, c);
  });
  return `${model.id}.${PRESET_SHARE_VERSION}.${run.preset}.${out}.${run.step}`;
}

/**
 * Decodes preset share text (what follows `#sim=`) for the model of `spec`. Never throws.
 * On success returns the preset, the replayed `schedule` (fresh choices from the model) and
 * the `step`; on failure one of:
 *
 * - `malformed`: not five dot-separated fields, bad characters, a step that is not a
 *   number or lies beyond the schedule;
 * - `unknown-model`: a link of another model;
 * - `outdated`: a format version other than `PRESET_SHARE_VERSION`;
 * - `invalid-params`: a preset this site does not have;
 * - `replay`: a choice index beyond the choices enabled at that step;
 * - `too-large`: a schedule longer than `MAX_SHARE_STEPS`.
 */
export function decodePresetShare<P, S, C>(spec: PresetShareSpec<P, S, C>, text: unknown): PresetDecode<C> {
  try {
    return decodePresetUnsafe(spec, text);
  } catch (e) {
    // A model that throws on replay (it should not) still gives a sentence, not an exception.
    return shareFailure('malformed', `This link could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function decodePresetUnsafe<P, S, C>(spec: PresetShareSpec<P, S, C>, text: unknown): PresetDecode<C> {
  const head = parseShareHead(text);
  if ('ok' in head) return head;
  const { model } = spec;
  if (head.model !== model.id) return shareFailure('unknown-model', `This link is for the simulation “${head.model}”, not the ${spec.noun}.`);
  if (head.version !== PRESET_SHARE_VERSION) return shareFailure('outdated', versionMessage(spec.noun, head.version, PRESET_SHARE_VERSION));
  const parts = head.parts;
  if (parts.length !== 5) return shareFailure('malformed', `This link is damaged: it should have 5 parts separated by dots, and has ${parts.length}.`);
  const [, , key, choicesText, stepText] = parts;
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(key)) return shareFailure('malformed', `This link is damaged: the name of the ${spec.noun} preset is not valid.`);
  const preset = Object.hasOwn(spec.presets, key) ? spec.presets[key] : undefined;
  if (!preset) return shareFailure('invalid-params', `This link is for the ${spec.noun} “${key}”, which this site does not have.`);
  if (choicesText.length > MAX_SHARE_STEPS) return shareFailure('too-large', `This link’s schedule has ${choicesText.length} steps; the player takes at most ${MAX_SHARE_STEPS}.`);
  const step = parseStep(stepText, choicesText.length);
  if (typeof step !== 'number') return step;
  let state = model.initialState(preset.params, spec.seed ?? 1);
  const schedule: C[] = [];
  for (let i = 0; i < choicesText.length; i++) {
    const k = b64Value(choicesText[i]);
    if (k === undefined) return shareFailure('malformed', `This link is damaged: step ${i + 1} of the schedule is “${choicesText[i]}”, which is not a choice.`);
    const enabled = model.enabled(state);
    if (k >= enabled.length) {
      return shareFailure(
        'replay',
        `This link’s schedule does not replay: at step ${i + 1} there ${enabled.length === 1 ? 'is 1 possible choice' : `are ${enabled.length} possible choices`}, and the link picks number ${k + 1}. The link may be from an older version of the simulation.`,
      );
    }
    schedule.push(enabled[k]);
    state = model.step(state, enabled[k]);
  }
  return { ok: true, model: model.id, preset: key, schedule, step };
}
