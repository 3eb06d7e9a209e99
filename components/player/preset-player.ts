/**
 * Build-time helper of the `<XxxSim preset="…">` components: looks a preset up and replays
 * its schedule into a player, failing the build with a message that names the component,
 * the preset and the known presets (or the step at which the schedule stops replaying).
 */
import type { Model } from '../../sims/core/model.ts';
import { PlayerCore } from './player-core.ts';

/** A preset as every `sims/<model>/presets.ts` defines it (extra fields are kept). */
export interface PresetLike<P, C> {
  params: P;
  schedule?: readonly C[];
}

/**
 * Returns the preset named `preset` and a player over it (seed 1).
 * Throws `Error` (failing the build) for an unknown preset or a schedule that does not replay.
 * `component` is the tag as authors write it, e.g. `MmSim`; `file` is the presets file.
 */
export function presetPlayer<P, S, C, T extends PresetLike<P, C>>(
  component: string,
  preset: string,
  presets: Readonly<Record<string, T>>,
  model: Model<P, S, C>,
  file: string,
): { spec: T; player: PlayerCore<P, S, C> } {
  const spec = Object.hasOwn(presets, preset) ? presets[preset] : undefined;
  if (!spec) {
    throw new Error(`<${component} preset="${preset}">: unknown preset. Known presets: ${Object.keys(presets).join(', ')} (see ${file}).`);
  }
  try {
    return { spec, player: new PlayerCore({ model, params: spec.params, seed: 1, schedule: spec.schedule }) };
  } catch (err) {
    throw new Error(`<${component} preset="${preset}">: the preset's schedule does not replay: ${(err as Error).message}`);
  }
}
