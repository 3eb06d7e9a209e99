/**
 * Share links of the memory model: the preset codec of `../core/share.ts` over `mmModel` and
 * `MM_PRESETS`, format `mm.1.<preset>.<choices>.<step>` (e.g. `mm.1.translate.AA.2`). A
 * memory run is always one of the lesson's presets, whose parameters are fixed.
 */
import { decodePresetShare, encodePresetShare, type PresetDecode, type PresetShareSpec } from '../core/share.ts';
import { mmModel } from './model.ts';
import { MM_PRESETS } from './presets.ts';
import type { MmChoice, MmParams, MmState } from './types.ts';

/** The memory model and its presets, as the preset codec takes them. */
export const MM_SHARE: PresetShareSpec<MmParams, MmState, MmChoice> = { model: mmModel, presets: MM_PRESETS, noun: 'memory simulation' };

/** A run of the memory model to share: one of the lesson's presets, a timeline of it, and the step. */
export interface SharedMmRun {
  /** A key of `MM_PRESETS`. */
  preset: string;
  /** Choices from the preset's initial state (the preset's schedule, or the learner's). */
  schedule: readonly MmChoice[];
  /** Index of the state to show, 0 to `schedule.length`. */
  step: number;
}

/** Share text of a memory run; throws `RangeError` as `encodePresetShare` does. */
export function encodeMmShare(run: SharedMmRun): string {
  return encodePresetShare(MM_SHARE, run);
}

/** Decodes memory share text; never throws (see `decodePresetShare`). */
export function decodeMmShare(text: unknown): PresetDecode<MmChoice> {
  return decodePresetShare(MM_SHARE, text);
}
