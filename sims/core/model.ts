/**
 * The simulation interface every Data Path Lab model implements.
 *
 * A model is data plus pure functions. States are immutable snapshots (never mutate a
 * state you were given: build a new one), so a player can scrub backwards and an explorer
 * can branch. No `Math.random`, no clock: randomness comes from the seeded generator in
 * `./rng.ts`, carried inside the state; time is a number in the state with its unit in its
 * name (`time_ns`).
 */

/** A kernel source a step models: file, function, and the kernel version it was read in. */
export interface KernelSource {
  /** Path in the kernel tree, e.g. `drivers/tty/tty_io.c`. */
  file: string;
  /** Function or macro name, e.g. `iterate_tty_write`. */
  fn: string;
  /** Kernel version the behaviour was checked against, e.g. `6.12`. */
  version: string;
}

/** What one step did, in plain words, with the kernel code it models. */
export interface StepEvent {
  /** One sentence of narration: shown as caption, trace line and live-region text. */
  narration: string;
  /** The kernel source the step models; `null` for steps outside the kernel (the wire). */
  source: KernelSource | null;
  /** Who acted: a writer index, or a named actor such as `'uart'` or `'reader'`. */
  actor: number | string;
}

/**
 * A simulation model.
 *
 * - `P` parameters (plain JSON data),
 * - `S` state (immutable, plain JSON data: structured-clone and JSON safe),
 * - `C` a choice a scheduler may make (plain JSON data).
 */
export interface Model<P, S, C> {
  /** Stable identifier used in share links, e.g. `tty`. */
  readonly id: string;
  /** Builds the first state. Throws `RangeError` on invalid parameters. */
  initialState(params: P, seed: number): S;
  /** The choices enabled in `state`, in a deterministic order; empty when the run is over. */
  enabled(state: S): C[];
  /** Applies one enabled choice. Pure; throws `Error` if `choice` is not enabled. */
  step(state: S, choice: C): S;
  /** `step` for callers that only pass enabled choices and never read the narration (the
   *  explorer): it may skip the enabled check and leave `event.narration` empty. Optional:
   *  callers fall back to `step`. */
  stepFast?(state: S, choice: C): S;
  /** What the step into `state` did; `null` for an initial state. */
  event(state: S): StepEvent | null;
  /** A short human label for a choice, e.g. `"writer A runs"`. */
  describeChoice(state: S, choice: C): string;
  /** True when two choices are the same choice (for replay and explorer bookkeeping). */
  sameChoice(a: C, b: C): boolean;
}

/**
 * Replays `schedule` from the initial state and returns every state visited, the initial
 * one first (length = schedule.length + 1).
 * Throws `Error` naming the step index when a choice in the schedule is not enabled.
 */
export function replay<P, S, C>(model: Model<P, S, C>, params: P, seed: number, schedule: readonly C[]): S[] {
  const states: S[] = [model.initialState(params, seed)];
  schedule.forEach((choice, i) => {
    const cur = states[states.length - 1];
    if (!model.enabled(cur).some((c) => model.sameChoice(c, choice))) {
      throw new Error(`step ${i + 1}: choice ${JSON.stringify(choice)} is not enabled`);
    }
    states.push(model.step(cur, choice));
  });
  return states;
}

/**
 * Runs the model to completion, picking with `pick(enabled, state)` at every step (default:
 * the first enabled choice). Stops after `maxSteps` steps (default 100,000) to guard against
 * models that never finish; returns the states visited, initial first.
 */
export function runToEnd<P, S, C>(
  model: Model<P, S, C>,
  params: P,
  seed: number,
  pick: (choices: C[], state: S) => C = (choices) => choices[0],
  maxSteps = 100_000,
): { states: S[]; schedule: C[] } {
  const states: S[] = [model.initialState(params, seed)];
  const schedule: C[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const cur = states[states.length - 1];
    const choices = model.enabled(cur);
    if (choices.length === 0) break;
    const c = pick(choices, cur);
    schedule.push(c);
    states.push(model.step(cur, c));
  }
  return { states, schedule };
}
