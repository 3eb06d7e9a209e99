/**
 * `<tty-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `ttyWidget`, plus what only this widget does:
 * - the far end as a terminal: xterm (`serial-terminal.ts`), loaded when the widget wakes
 *   (comes into view or is first used), a plain `<pre>` until then or if it cannot load;
 * - any parameters: a player without a preset (`data-params`, the Prove-it panel's) and
 *   `load(run)` of any parameters, schedule, step, title and description (the Prove-it
 *   panel, share links of configurations no preset has);
 * - share links in the tty codec (`sims/tty/share.ts`), which carry the parameters.
 *
 * Host attributes (besides the generic ones): `data-params` (a player without a preset),
 * `data-loaded` (`true` once `load` replaced the server-rendered run), and the facts of
 * `definition.ts` (`data-verdict`, `data-variant`, `data-writers`).
 * Event: `tty-sim:step` (bubbles) with `detail: { index, steps, narration, verdict }`.
 */
import { decodeShare, encodeShare, paramsDifference, ttyModel, TTY_PRESETS, validateParams, type TtyChoice, type TtyParams, type TtyState } from '../../../sims/tty/index.ts';
import { PlayerCore } from '../../player/player-core.ts';
import { defineWidget, WidgetElement, type WidgetRun } from '../../player/widget-element.ts';
import { ttyWidget } from './definition.ts';
import { bufferTitle, farEndName } from './format.ts';
import { bufferSvgTitle, paramsSummaryHtml, rxSummaryText, swimCaptionText, swimLegendHtml, swimTitleText } from './html.ts';
import { SerialTerminal } from './serial-terminal.ts';

/**
 * A run to show in a player: what `TtySimElement.load` takes, the generic element's
 * `WidgetRun` with the tty types (`params` default: keep the ones shown).
 */
export type LoadRun = WidgetRun<TtyParams, TtyChoice>;

/**
 * True when two parameter sets are the same configuration, compared through the share
 * codec's encoding (what a link carries). Parameters a link cannot carry are never equal.
 */
export function sameTtyParams(a: TtyParams, b: TtyParams): boolean {
  try {
    return encodeShare({ model: 'tty', params: a, schedule: [], step: 0 }) === encodeShare({ model: 'tty', params: b, schedule: [], step: 0 });
  } catch {
    return false;
  }
}

export class TtySimElement extends WidgetElement {
  private terminal: SerialTerminal | null = null;

  private get tty(): PlayerCore<TtyParams, TtyState, TtyChoice> {
    return this.player as unknown as PlayerCore<TtyParams, TtyState, TtyChoice>;
  }

  /** A preset's run (`data-preset`), or the parameters in `data-params` with no schedule. */
  protected createPlayer(): PlayerCore<unknown, unknown, unknown> | string {
    const raw = this.dataset.params;
    if (raw === undefined) return super.createPlayer();
    try {
      const params = JSON.parse(raw) as TtyParams;
      validateParams(params);
      return new PlayerCore({ model: ttyModel, params, seed: 1 }) as unknown as PlayerCore<unknown, unknown, unknown>;
    } catch (e) {
      return `This simulation's settings are not valid: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected setup(): void {
    super.setup();
    this.terminal = new SerialTerminal(this.el('terminal'), this.el('xterm'), this.el('fallback'), farEndName(this.tty.params.variant));
  }

  protected onWake(): void {
    super.onWake();
    void this.terminal?.start();
  }

  /** True while the generic element draws a step (its figure-following runs then). */
  private drawing = false;

  protected renderState(state: unknown, animate: boolean, changed: boolean): void {
    this.drawing = true;
    try {
      super.renderState(state, animate, changed);
    } finally {
      this.drawing = false;
    }
    const s = state as TtyState;
    this.terminal?.show(s.received);
    const rx = this.maybeEl('rxsummary');
    if (rx) rx.textContent = rxSummaryText(s);
  }

  /**
   * The swimlane changes at every step (its cursor moves), so the player does not follow
   * the buffer away from it: only the learner switches tabs.
   */
  protected showFigure(name: string, focus: boolean): void {
    if (this.drawing && this.dataset.figure === 'swimlane') return;
    super.showFigure(name, focus);
  }

  /**
   * The parameters of the run shown: while a light render waits to be built, its preset's
   * or its `data-params`; null before the element is upgraded or when those are not valid.
   */
  get params(): TtyParams | null {
    if (this.player) return this.tty.params;
    if (this.dataset.params === undefined) return this.preset && Object.hasOwn(TTY_PRESETS, this.preset) ? TTY_PRESETS[this.preset].params : null;
    try {
      return JSON.parse(this.dataset.params) as TtyParams;
    } catch {
      return null;
    }
  }
  /** Every choice of the timeline shown (may run past the current step). */
  get timeline(): readonly TtyChoice[] {
    return this.player ? this.tty.choices : [];
  }
  /** The step shown, 0 = the initial state. */
  get index(): number {
    return this.player ? this.tty.index : 0;
  }

  /**
   * Shows `run` in this player: its parameters, seed, its schedule as the timeline, at `step`,
   * and optionally a new heading and description. Everything is checked first: on invalid
   * parameters, a schedule that does not replay, or a step outside `0..schedule.length`, it
   * returns a message and changes nothing. Returns null on success. Never throws.
   */
  load(run: LoadRun): string | null {
    if (!this.ensureStarted()) return this.notStarted();
    const params = run.params ?? this.tty.params;
    const { schedule, step } = run;
    const seed = run.seed ?? this.tty.seed;
    let next: PlayerCore<TtyParams, TtyState, TtyChoice>;
    try {
      validateParams(params);
      if (!Number.isFinite(seed)) throw new Error(`the seed must be a number, got ${String(seed)}`);
      next = new PlayerCore({ model: ttyModel, params, seed, schedule });
    } catch (e) {
      return `This run cannot be shown: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!Number.isInteger(step) || step < 0 || step > schedule.length) {
      return `This run cannot be shown: step ${step} is outside its ${schedule.length} steps.`;
    }
    next.seek(step);
    if (run.title !== undefined) this.el('title').textContent = run.title;
    if (run.description !== undefined) this.el('desc').textContent = run.description;
    this.dataset.loaded = 'true';
    this.replacePlayer(next as unknown as PlayerCore<unknown, unknown, unknown>);
    this.renderRunParts();
    return null;
  }

  /**
   * The parts that depend on the parameters, not on the step (after `load`): the header,
   * the figures' captions, titles and legends, the terminal's name (the terminal itself
   * stays: it shows the new run's bytes at the next render).
   */
  protected renderRunParts(): void {
    const s0 = this.tty.states[0];
    const variant = s0.params.variant;
    const params = this.maybeEl('params');
    if (params) params.innerHTML = paramsSummaryHtml(s0);
    this.el('cap-swimlane').textContent = swimCaptionText(variant);
    this.el('title-swimlane').textContent = swimTitleText(s0);
    this.el('legend-swimlane').innerHTML = swimLegendHtml(variant);
    this.el('cap-buffer').textContent = bufferTitle(variant);
    this.el('title-buffer').textContent = bufferSvgTitle(variant);
    this.el('farend').textContent = farEndName(variant);
    this.el('fallback').setAttribute('aria-label', farEndName(variant));
  }

  /** A link in the tty codec, naming the preset while the run has the preset's parameters. */
  protected async shareText(): Promise<string> {
    const p = this.tty;
    const key = this.preset;
    const spec = key && Object.hasOwn(TTY_PRESETS, key) ? TTY_PRESETS[key] : undefined;
    const preset = spec && paramsDifference(spec.params, p.params) === null ? key : undefined;
    return encodeShare({ model: 'tty', preset, params: p.params, schedule: p.choices, step: p.index });
  }

  /**
   * Opens tty share text (`share-link.ts`): a link naming a preset opens only in the player
   * of that preset; a link with no preset opens in a player that already shows the same
   * parameters, or, when `any` is true (no player claimed it), in this one, retitled
   * "Shared run". Returns `'opened'`, `'not-mine'`, or the decoder's sentence for a damaged,
   * outdated or non-replaying link (nothing changes then).
   */
  async openShare(text: string, any: boolean): Promise<'opened' | 'not-mine' | string> {
    const d = decodeShare(text);
    if (!d.ok) return d.error;
    const run: LoadRun = { params: d.params, schedule: d.schedule, step: d.step };
    if (d.preset !== undefined) {
      if (d.preset !== this.preset) return 'not-mine';
    } else {
      const shown = this.params;
      const same = shown !== null && sameTtyParams(shown, d.params);
      if (!same && !any) return 'not-mine';
      if (!same) Object.assign(run, SHARED_RUN_HEADING);
    }
    if (!(await this.whenStarted())) return this.notStarted();
    return this.load(run) ?? 'opened';
  }
}

/** The heading of a run opened from a link in a player that showed other parameters. */
export const SHARED_RUN_HEADING = {
  title: 'Shared run',
  description: 'Opened from a link: the parameters, the schedule and the step it was shared at.',
} as const;

defineWidget(ttyWidget, TtySimElement);
