/**
 * The simulation player's logic, with no DOM and no timers: a timeline of immutable states,
 * a current index, and the rules for moving along it.
 *
 * - The timeline starts as the replay of a preset schedule (when there is one).
 * - Stepping forward past the known states asks a scheduler for the next choice: a seeded
 *   pseudo-random one by default, so the same seed always gives the same run.
 * - Choosing a step (the learner playing the scheduler) after scrubbing back truncates the
 *   future, like an editor's undo; choosing the step that was already next keeps it.
 *
 * The player element (`sim-player-element.ts`, `widget-element.ts`) owns the clock and the DOM; this module is what
 * its unit tests exercise.
 */
import type { Model } from '../../sims/core/model.ts';
import { nextInt, seedFrom } from '../../sims/core/rng.ts';

/** Picks one of `choices` (never empty) in `state`, the `stepIndex`-th step of the run. */
export type SchedulerPick<S, C> = (choices: readonly C[], state: S, stepIndex: number) => C;

/**
 * A seeded scheduler whose pick depends only on `seed` and the step index, not on what was
 * picked before: stepping back and forward again, or two players side by side, agree.
 */
export function seededPick<S, C>(seed: number): SchedulerPick<S, C> {
  return (choices, _state, stepIndex) => {
    if (choices.length === 0) throw new Error('seededPick: no choices');
    const s = seedFrom(Math.imul(seed | 0, 0x2c1b3c6d) ^ Math.imul(stepIndex + 1, 0x297a2d39));
    // Discard the first output once to spread nearby seeds.
    const [, s2] = nextInt(s, 2);
    const [i] = nextInt(s2, choices.length);
    return choices[i];
  };
}

export interface PlayerOptions<P, S, C> {
  model: Model<P, S, C>;
  params: P;
  seed: number;
  /** A preset schedule replayed first (throws, naming the step, if it is not valid). */
  schedule?: readonly C[];
  /** The scheduler used past the known states (default: `seededPick(seed)`). */
  pick?: SchedulerPick<S, C>;
  /** Longest timeline allowed, in steps (default 5000), a guard against endless models. */
  maxSteps?: number;
}

/** What `choose` did. */
export interface ChooseResult {
  /** Steps of the old future that were discarded (0 when the choice matched it). */
  discarded: number;
}

export class PlayerCore<P, S, C> {
  readonly model: Model<P, S, C>;
  readonly params: P;
  readonly seed: number;
  readonly maxSteps: number;
  private readonly schedule: readonly C[];
  private readonly pick: SchedulerPick<S, C>;
  private _states: S[] = [];
  private _choices: C[] = [];
  private _index = 0;
  /** True once the learner has chosen a step that left the preset's schedule. */
  private _diverged = false;

  constructor(opts: PlayerOptions<P, S, C>) {
    this.model = opts.model;
    this.params = opts.params;
    this.seed = opts.seed;
    this.schedule = opts.schedule ?? [];
    this.pick = opts.pick ?? seededPick<S, C>(opts.seed);
    this.maxSteps = opts.maxSteps ?? 5000;
    this.reset();
  }

  /** Back to the initial state with the preset's timeline (learner choices are dropped). */
  reset(): void {
    const first = this.model.initialState(this.params, this.seed);
    this._states = [first];
    this._choices = [];
    this._index = 0;
    this._diverged = false;
    this.schedule.forEach((choice, i) => {
      const cur = this._states[this._states.length - 1];
      if (!this.model.enabled(cur).some((c) => this.model.sameChoice(c, choice))) {
        throw new Error(`schedule step ${i + 1}: choice ${JSON.stringify(choice)} is not enabled`);
      }
      this._choices.push(choice);
      this._states.push(this.model.step(cur, choice));
    });
  }

  /** Every state known so far, initial first (the timeline, including any future). */
  get states(): readonly S[] {
    return this._states;
  }
  /** `choices[i]` leads from `states[i]` to `states[i + 1]`. */
  get choices(): readonly C[] {
    return this._choices;
  }
  get index(): number {
    return this._index;
  }
  /** Number of known states (the scrubber's range is `0 .. length - 1`). */
  get length(): number {
    return this._states.length;
  }
  get current(): S {
    return this._states[this._index];
  }
  /** Choices enabled in the current state. */
  enabled(): C[] {
    return this.model.enabled(this.current);
  }
  /** True when the learner's choices have replaced the preset's schedule. */
  get diverged(): boolean {
    return this._diverged;
  }
  /** Steps of the preset schedule (0 when the preset has none). */
  get scheduleLength(): number {
    return this.schedule.length;
  }

  /** The run is over in the current state: nothing is enabled. */
  get finished(): boolean {
    return this.enabled().length === 0;
  }
  /** True when `forward()` would move. */
  canForward(): boolean {
    if (this._index < this._states.length - 1) return true;
    return this._states.length - 1 < this.maxSteps && !this.finished;
  }
  canBack(): boolean {
    return this._index > 0;
  }

  /**
   * One step forward: along the known timeline if there is one, otherwise a new step chosen by
   * the scheduler. Returns false (and does nothing) at the end of the run.
   */
  forward(): boolean {
    if (this._index < this._states.length - 1) {
      this._index++;
      return true;
    }
    if (!this.canForward()) return false;
    const cur = this.current;
    const choices = this.model.enabled(cur);
    const c = this.pick(choices, cur, this._index);
    this.append(c);
    return true;
  }

  back(): boolean {
    if (this._index === 0) return false;
    this._index--;
    return true;
  }

  /** Moves to state `i` of the known timeline (clamped). Returns the new index. */
  seek(i: number): number {
    const n = Math.round(Number.isFinite(i) ? i : 0);
    this._index = Math.max(0, Math.min(this._states.length - 1, n));
    return this._index;
  }

  /**
   * The learner takes `choice` in the current state. If it is the step the timeline already
   * takes next, that future is kept; otherwise the future is discarded and replaced.
   * Throws if `choice` is not enabled.
   */
  choose(choice: C): ChooseResult {
    const cur = this.current;
    if (!this.model.enabled(cur).some((c) => this.model.sameChoice(c, choice))) {
      throw new Error(`choice ${JSON.stringify(choice)} is not enabled at step ${this._index}`);
    }
    if (this._index < this._states.length - 1) {
      if (this.model.sameChoice(this._choices[this._index], choice)) {
        this._index++;
        return { discarded: 0 };
      }
      const discarded = this._states.length - 1 - this._index;
      this._states.length = this._index + 1;
      this._choices.length = this._index;
      this._diverged = true;
      this.append(choice);
      return { discarded };
    }
    this.append(choice);
    return { discarded: 0 };
  }

  private append(choice: C): void {
    const cur = this._states[this._index];
    this._choices.push(choice);
    this._states.push(this.model.step(cur, choice));
    this._index++;
  }
}
