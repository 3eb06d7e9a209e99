/**
 * Share links of the tty model: "these parameters, this schedule, at this step", safe to
 * put in a URL fragment (`#sim=<text>`).
 *
 * Format (version 1 of the tty model), five fields separated by dots:
 *
 *     tty.1.<params>.<schedule>.<step>
 *
 * - `tty`: the model's id (`Model.id`).
 * - `1`: the version of this model's link format. A link of another version is refused with
 *   a message, never guessed at.
 * - `<params>`: the parameters as bytes in base64url (RFC 4648 §5, no padding). Bytes:
 *   `variant | (writers - 1) << 2` (variant 0 kernel, 1 no-lock, 2 pipe); per writer the
 *   varint `size * 4 + nonblock + 2 * signal`; then varints `chunkSize`; one byte
 *   `log2(xmitSize)`; varints `pipeBuf`, `pipeSlots`, `drainBytes`, `baud`. Varints are
 *   unsigned LEB128 (7 bits a byte, low first).
 * - `<schedule>`: one character per choice: `a`-`d` run writer A-D, `A`-`D` deliver the
 *   signal to writer A-D, `u` the UART sends, `r` the reader reads. May be empty.
 * - `<step>`: the step the player shows, a decimal integer from 0 to the schedule's length.
 *
 * Example: the panel's default (two blocking writers of 8 bytes) at step 3 is
 * `tty.1.BCAgBAMEAgKAiA4.aab.3`.
 *
 * Format version 2 of the tty model adds the preset the run was made from, as the third
 * field: `tty.2.<preset>.<params>.<schedule>.<step>`, where `<preset>` is a key of
 * `TTY_PRESETS` or empty (a configuration of the learner's, e.g. from the Prove-it panel).
 * A link naming a preset must carry exactly that preset's parameters: a link changed by
 * hand (one character of the settings) would otherwise open in the player of another
 * preset whose description then contradicts the run. Version 1 links are still read (they
 * name no preset). Example: `tty.2..BCAgBAMEAgKAiA4.aab.3`.
 *
 * The tty links carry any parameters (the Prove-it panel's configurations), so the tty
 * model has this codec of its own; the other models' players use the preset codec of
 * `../core/share.ts`, whose text helpers this file shares.
 *
 * Decoding checks everything with the model itself (`validateParams`, then a replay of the
 * schedule) and never throws: every failure is `{ ok: false, kind, error }` with a sentence
 * a learner can act on. Pure: no DOM, no clock.
 */
import {
  ByteReader,
  fromBase64Url,
  MAX_SHARE_LENGTH,
  MAX_SHARE_STEPS,
  parseShareHead,
  parseStep,
  pushVarint,
  ShareFormatError,
  shareFailure,
  toBase64Url,
  versionMessage,
  type ShareErrorKind,
  type ShareFailure,
} from '../core/share.ts';
import { ttyModel, validateParams } from './model.ts';
import { TTY_PRESETS } from './presets.ts';
import type { TtyChoice, TtyParams, TtyState, Variant } from './types.ts';

export { fromBase64Url, MAX_SHARE_LENGTH, MAX_SHARE_STEPS, toBase64Url, type ShareErrorKind };

/**
 * The version of the tty link format this code writes. Version 2 names the preset the run
 * was made from; version 1 links (no preset) are still read.
 */
export const TTY_SHARE_VERSION = 2;
/**
 * Rough upper bound on the work a replay may take, in byte-slots touched (steps times the
 * bytes a step may copy). Keeps a hand-made link from freezing the page.
 */
export const MAX_REPLAY_WORK = 1 << 24;

/** A run to share: the model, its parameters, the schedule, and the step to show. */
export interface SharedRun {
  model: 'tty';
  /**
   * The key of `TTY_PRESETS` the run was made from (its player), when there is one; the
   * parameters must then equal that preset's.
   */
  preset?: string;
  params: TtyParams;
  /** Choices from the initial state; the player's timeline. */
  schedule: readonly TtyChoice[];
  /** Index of the state to show, 0 (initial state) to `schedule.length`. */
  step: number;
}

/** What `decodeShare` returns. */
export type DecodeResult =
  | ({ ok: true } & SharedRun & { schedule: TtyChoice[] })
  | ShareFailure;

// ---------------------------------------------------------------------------------------
// The tty parameters and choices.

const VARIANTS: readonly Variant[] = ['kernel', 'no-lock', 'pipe'];

function encodeParams(p: TtyParams): string {
  validateParams(p);
  if (p.writers.length > 4) throw new RangeError('share link: at most 4 writers');
  if (!Number.isInteger(p.baud) || p.baud > 2 ** 40) throw new RangeError(`share link: baud must be a whole number up to 2^40 to fit in a link, got ${p.baud}`);
  const out: number[] = [VARIANTS.indexOf(p.variant) | ((p.writers.length - 1) << 2)];
  for (const w of p.writers) pushVarint(out, w.size * 4 + (w.nonblock ? 1 : 0) + (w.signal ? 2 : 0));
  pushVarint(out, p.chunkSize);
  out.push(Math.log2(p.xmitSize));
  pushVarint(out, p.pipeBuf);
  pushVarint(out, p.pipeSlots);
  pushVarint(out, p.drainBytes);
  pushVarint(out, p.baud);
  return toBase64Url(out);
}

/** Parses the params bytes; throws ShareFormatError for bad bytes. Not yet validated. */
function decodeParams(text: string): TtyParams {
  const bytes = fromBase64Url(text);
  if (!bytes) throw new ShareFormatError('the settings are not valid base64url');
  const r = new ByteReader(bytes);
  const head = r.byte();
  if (head > 15) throw new ShareFormatError('the settings start with an unknown byte');
  const code = head & 3;
  // An unknown variant code is left for validateParams to name.
  const variant = (VARIANTS[code] ?? `variant #${code}`) as Variant;
  const count = (head >> 2) + 1;
  const writers = [];
  for (let i = 0; i < count; i++) {
    const v = r.varint();
    writers.push({ size: Math.floor(v / 4), nonblock: (v & 1) === 1, signal: (v & 2) === 2 });
  }
  const chunkSize = r.varint();
  const log2 = r.byte();
  const xmitSize = 2 ** log2;
  const pipeBuf = r.varint();
  const pipeSlots = r.varint();
  const drainBytes = r.varint();
  const baud = r.varint();
  if (!r.done) throw new ShareFormatError('the settings have bytes left over at the end');
  return { variant, writers, chunkSize, xmitSize, pipeBuf, pipeSlots, baud, drainBytes };
}

/** One schedule character for a choice. */
function choiceChar(c: TtyChoice): string {
  switch (c.kind) {
    case 'run':
    case 'signal': {
      if (!Number.isInteger(c.writer) || c.writer < 0 || c.writer > 3) throw new RangeError(`share link: writer ${c.writer} cannot be encoded (0 to 3)`);
      return String.fromCharCode((c.kind === 'run' ? 97 : 65) + c.writer);
    }
    case 'uart':
      return 'u';
    case 'reader':
      return 'r';
  }
}

function charChoice(ch: string): TtyChoice | null {
  if (ch === 'u') return { kind: 'uart' };
  if (ch === 'r') return { kind: 'reader' };
  if (ch >= 'a' && ch <= 'd') return { kind: 'run', writer: ch.charCodeAt(0) - 97 };
  if (ch >= 'A' && ch <= 'D') return { kind: 'signal', writer: ch.charCodeAt(0) - 65 };
  return null;
}

// ---------------------------------------------------------------------------------------

/**
 * Encodes a run as share text (see the format at the top of this file), e.g.
 * `tty.1.BCAgBAMEAgKAiA4.aab.3`. The text uses only `A-Z a-z 0-9 - _ .`, so it can go
 * into a URL fragment as it is.
 *
 * Throws `RangeError` when the run cannot be shared: parameters the model rejects (the
 * model's message), a baud rate that is not a whole number, a schedule longer than
 * `MAX_SHARE_STEPS`, a writer index above 3, or a `step` outside `0..schedule.length`.
 * It does not replay the schedule; `decodeShare` does.
 */
export function encodeShare(run: SharedRun): string {
  if (run.model !== 'tty') throw new RangeError(`share link: unknown model ${JSON.stringify((run as { model: unknown }).model)}`);
  if (run.schedule.length > MAX_SHARE_STEPS) throw new RangeError(`share link: a schedule of ${run.schedule.length} steps is longer than ${MAX_SHARE_STEPS}`);
  if (!Number.isInteger(run.step) || run.step < 0 || run.step > run.schedule.length) {
    throw new RangeError(`share link: step must be an integer from 0 to ${run.schedule.length}, got ${run.step}`);
  }
  const paramsText = encodeParams(run.params);
  const preset = run.preset ?? '';
  if (preset !== '') {
    const spec = Object.hasOwn(TTY_PRESETS, preset) ? TTY_PRESETS[preset] : undefined;
    if (!spec) throw new RangeError(`share link: unknown tty preset ${JSON.stringify(preset)}`);
    if (encodeParams(spec.params) !== paramsText) throw new RangeError(`share link: the parameters are not those of the preset ${JSON.stringify(preset)}`);
  }
  return `tty.${TTY_SHARE_VERSION}.${preset}.${paramsText}.${run.schedule.map(choiceChar).join('')}.${run.step}`;
}

const fail = shareFailure;

/** How a choice reads in an error message: "run writer C", "the UART sends". */
function choiceWords(c: TtyChoice): string {
  switch (c.kind) {
    case 'run':
      return `running writer ${String.fromCharCode(65 + c.writer)}`;
    case 'signal':
      return `a signal to writer ${String.fromCharCode(65 + c.writer)}`;
    case 'uart':
      return 'the UART sending';
    case 'reader':
      return 'the reader reading';
  }
}

/**
 * Decodes share text (what follows `#sim=`). Never throws. On success returns the model,
 * fresh `params`, the `schedule` and the `step`, all checked: the parameters pass the
 * model's `validateParams` and the schedule replays from the initial state. On failure
 * returns `{ ok: false, kind, error }`, where `error` is one sentence for the learner:
 *
 * - `malformed`: not five dot-separated fields, bad characters, truncated settings, a step
 *   that is not a number or lies beyond the schedule;
 * - `unknown-model`: a model id this code does not know;
 * - `outdated`: a format version other than `TTY_SHARE_VERSION`;
 * - `invalid-params`: the model's `RangeError` text;
 * - `replay`: "... does not replay: at step N, ... is not possible";
 * - `too-large`: a run too big to replay in a page (`MAX_REPLAY_WORK`).
 */
export function decodeShare(text: unknown): DecodeResult {
  try {
    return decodeUnsafe(text);
  } catch (e) {
    // Nothing below should throw; this keeps the promise if something does.
    return fail('malformed', `This link could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function decodeUnsafe(text: unknown): DecodeResult {
  const head = parseShareHead(text);
  if ('ok' in head) return head;
  const { parts } = head;
  if (head.model !== 'tty') return fail('unknown-model', `This link is for a simulation called “${head.model}”, not the tty simulation.`);
  const v = head.version;
  if (v !== TTY_SHARE_VERSION && v !== 1) return fail('outdated', versionMessage('tty simulation', v, TTY_SHARE_VERSION));
  // Version 2 has the preset's name as its third field; version 1 has none.
  let preset: string | undefined;
  let rest: string[];
  if (v === 1) {
    if (parts.length !== 5) return fail('malformed', `This link is damaged: it should have 5 parts separated by dots, and has ${parts.length}.`);
    rest = parts.slice(2);
  } else {
    if (parts.length !== 6) return fail('malformed', `This link is damaged: it should have 6 parts separated by dots, and has ${parts.length}.`);
    const name = parts[2];
    if (name !== '') {
      if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) return fail('malformed', 'This link is damaged: the name of the tty preset is not valid.');
      if (!Object.hasOwn(TTY_PRESETS, name)) return fail('invalid-params', `This link is for the tty simulation “${name}”, which this site does not have.`);
      preset = name;
    }
    rest = parts.slice(3);
  }
  const [paramsText, scheduleText, stepText] = rest;

  let params: TtyParams;
  try {
    params = decodeParams(paramsText);
  } catch (e) {
    if (e instanceof ShareFormatError) return fail('malformed', `This link is damaged: ${e.message}.`);
    throw e;
  }
  try {
    validateParams(params);
  } catch (e) {
    return fail('invalid-params', `This link’s settings are not valid: ${e instanceof Error ? e.message : String(e)}.`);
  }

  if (preset !== undefined) {
    const differ = paramsDifference(TTY_PRESETS[preset].params, params);
    if (differ) {
      return fail('invalid-params', `This link names the tty simulation “${TTY_PRESETS[preset].title}”, but its settings are not that simulation’s (${differ}): the link was changed or damaged.`);
    }
  }

  if (scheduleText.length > MAX_SHARE_STEPS) return fail('too-large', `This link’s schedule has ${scheduleText.length} steps; the player takes at most ${MAX_SHARE_STEPS}.`);
  const schedule: TtyChoice[] = [];
  for (let i = 0; i < scheduleText.length; i++) {
    const c = charChoice(scheduleText[i]);
    if (!c) return fail('malformed', `This link is damaged: step ${i + 1} of the schedule is “${scheduleText[i]}”, which is not a choice (a-d, A-D, u, r).`);
    schedule.push(c);
  }
  const step = parseStep(stepText, schedule.length);
  if (typeof step !== 'number') return step;

  const total = params.writers.reduce((n, w) => n + w.size, 0);
  const perStep = params.xmitSize + Math.min(params.pipeBuf * params.pipeSlots, total) + total;
  if ((schedule.length + 1) * perStep > MAX_REPLAY_WORK) {
    return fail('too-large', 'This link’s run is too large to replay in the page; use smaller writes or buffers.');
  }

  // Replay with the model: every choice must be enabled where it is taken.
  let state: TtyState = ttyModel.initialState(params, 1);
  for (let i = 0; i < schedule.length; i++) {
    const c = schedule[i];
    if (!ttyModel.enabled(state).some((e) => ttyModel.sameChoice(e, c))) {
      return fail('replay', `This link’s schedule does not replay: at step ${i + 1}, ${choiceWords(c)} is not possible in this configuration. The link may be from an older version of the simulation.`);
    }
    state = ttyModel.step(state, c);
  }
  return preset === undefined ? { ok: true, model: 'tty', params, schedule, step } : { ok: true, model: 'tty', preset, params, schedule, step };
}

/**
 * The first difference between a preset's parameters `want` and a link's `got`, in words
 * ("writer A writes 16 bytes, the preset 12"), or null when they are equal.
 */
export function paramsDifference(want: TtyParams, got: TtyParams): string | null {
  if (want.variant !== got.variant) return `the variant is ${got.variant}, the preset's ${want.variant}`;
  if (want.writers.length !== got.writers.length) return `${got.writers.length} writers, the preset has ${want.writers.length}`;
  for (let i = 0; i < want.writers.length; i++) {
    const a = want.writers[i];
    const b = got.writers[i];
    const name = `writer ${String.fromCharCode(65 + i)}`;
    if (a.size !== b.size) return `${name} writes ${b.size} bytes, in the preset ${a.size}`;
    if (a.nonblock !== b.nonblock) return `${name} is ${b.nonblock ? '' : 'not '}non-blocking, in the preset ${a.nonblock ? '' : 'not '}non-blocking`;
    if (a.signal !== b.signal) return `${name} ${b.signal ? 'may' : 'may not'} be signalled, in the preset it ${a.signal ? 'may' : 'may not'}`;
  }
  for (const k of ['chunkSize', 'xmitSize', 'pipeBuf', 'pipeSlots', 'drainBytes', 'baud'] as const) {
    if (want[k] !== got[k]) return `${k} is ${got[k]}, in the preset ${want[k]}`;
  }
  return null;
}
