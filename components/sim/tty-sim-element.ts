/**
 * `<tty-sim>`: upgrades the server-rendered tty simulation widget (`TtySim.astro`).
 *
 * The player shell (controls, scrubber, scheduler choices, caption, trace, table toggle,
 * share link, lazy loading) is `shell/sim-player-element.ts`; this file adds the tty model
 * and its views: the text views are the same HTML strings the server rendered
 * (`tty-html.ts`); the d3 diagrams (`views/diagrams.ts`) and the xterm terminal load late,
 * when the widget scrolls into view or is first used.
 *
 * Attributes kept current for tests and styling:
 * - `data-step` (current index), `data-steps` (known states), `data-playing`,
 *   `data-verdict` (`running` | `atomic` | `interleaved`), `data-finished`,
 *   `data-ready` (set once upgraded), `data-diagrams` (`pending` | `loaded` | `failed`),
 *   `data-view` (`diagrams` | `table`).
 *   `data-loaded` (`true` once `load()` replaced the server-rendered run).
 * Event: `tty-sim:step` (bubbles) with `detail: { index, steps, narration, verdict }`.
 *
 * Public API: `load(run)` shows any parameters and schedule at any step (share links, the
 * Prove-it panel); `params`, `timeline`, `index` read what is shown.
 */
import { ttyModel, validateParams } from '../../sims/tty/model.ts';
import { TTY_PRESETS } from '../../sims/tty/presets.ts';
import { endOfRunText } from '../../sims/tty/properties.ts';
import type { TtyChoice, TtyParams, TtyState } from '../../sims/tty/types.ts';
import { PlayerCore } from '../player/player-core.ts';
import { SerialTerminal } from './serial-terminal.ts';
import { SimPlayerElement } from '../player/sim-player-element.ts';
import { bufferStat, bufferTitle, drainName, farEndName, narrationOf, runsText } from './tty-format.ts';
import { TTY_NO_SOURCE, bufferSvgTitle, choiceButtonHtml, paramsSummaryHtml, swimCaptionHtml, tablesHtml, verdictHtml } from './tty-html.ts';
import { verdictOf } from './verdict.ts';
import type { Diagrams } from './views/diagrams.ts';

/** A run to show in a player: what `TtySimElement.load` takes. */
export interface LoadRun {
  params: TtyParams;
  /** Choices from the initial state (default none: the learner or the scheduler picks). */
  schedule?: readonly TtyChoice[];
  /** State to show, 0 to `schedule.length` (default 0). */
  step?: number;
  /** New heading (default: keep the current one). */
  title?: string;
  /** New description under the heading (default: keep the current one). */
  description?: string;
}

export class TtySimElement extends SimPlayerElement<TtyParams, TtyState, TtyChoice> {
  protected readonly widgetName = 'tty-sim';
  protected readonly eventName = 'tty-sim:step';
  /** Says what is true where nothing can run: all done, or stuck, naming the blocked writers. */
  protected noChoicesHtmlFor(state: TtyState): string {
    return `<p class="sim-note">${endOfRunText(state).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;
  }
  private terminal!: SerialTerminal;
  private diagrams: Diagrams | null = null;

  protected createPlayer(): PlayerCore<TtyParams, TtyState, TtyChoice> | string {
    const initial = this.initialRun();
    if (typeof initial === 'string') return initial;
    const seed = Number(this.dataset.seed ?? '1') || 1;
    return new PlayerCore({ model: ttyModel, params: initial.params, seed, schedule: initial.schedule });
  }

  protected setup(): void {
    this.terminal = new SerialTerminal(this.el('terminal'), this.el('xterm'), this.el('fallback'), farEndName(this.player.params.variant));
  }

  /** The preset's run (`data-preset`), or the parameters in `data-params`; else an error. */
  private initialRun(): { params: TtyParams; schedule?: readonly TtyChoice[] } | string {
    const key = this.dataset.preset;
    if (key !== undefined) {
      const preset = TTY_PRESETS[key];
      return preset ? preset : `Unknown simulation preset "${key}".`;
    }
    try {
      const params = JSON.parse(this.dataset.params ?? 'null') as TtyParams;
      validateParams(params);
      return { params };
    } catch (e) {
      return `This simulation's settings are not valid: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** The parameters of the run shown (null before the element is upgraded). */
  get params(): TtyParams | null {
    return this.player ? this.player.params : null;
  }
  /** Every choice of the timeline shown (may run past the current step). */
  get timeline(): readonly TtyChoice[] {
    return this.player ? this.player.choices : [];
  }
  /** The step shown, 0 = the initial state. */
  get index(): number {
    return this.player ? this.player.index : 0;
  }

  /**
   * Shows `run` in this player: its parameters, its schedule as the timeline, at `step`,
   * and optionally a new heading and description. Everything is checked first: on invalid
   * parameters, a schedule that does not replay, or a step outside `0..schedule.length`, it
   * returns a message and changes nothing. Returns null on success. Never throws.
   */
  load(run: LoadRun): string | null {
    if (!this.player) return 'This player could not start, so it cannot show another run.';
    const schedule = run.schedule ?? [];
    const step = run.step ?? 0;
    let next: PlayerCore<TtyParams, TtyState, TtyChoice>;
    try {
      validateParams(run.params);
      next = new PlayerCore({ model: ttyModel, params: run.params, seed: this.player.seed, schedule });
    } catch (e) {
      return `This run cannot be shown: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!Number.isInteger(step) || step < 0 || step > schedule.length) {
      return `This run cannot be shown: step ${step} is outside its ${schedule.length} steps.`;
    }
    next.seek(step);
    if (run.title !== undefined) this.el('title').textContent = run.title;
    if (run.description !== undefined) this.el('desc').textContent = run.description;
    this.renderFrame(next.states[0]);
    this.dataset.loaded = 'true';
    this.replacePlayer(next);
    return null;
  }

  /** The parts that depend on the parameters, not on the step (after `load`). */
  private renderFrame(s0: TtyState): void {
    const variant = s0.params.variant;
    this.dataset.variant = variant;
    this.el('params').innerHTML = paramsSummaryHtml(s0);
    this.el('swimcap').innerHTML = swimCaptionHtml(variant);
    this.el('swimtitle').textContent = `Swimlane: one lane per writer and one for the ${drainName(s0)}, one column per step`;
    this.el('legend-unlocked').hidden = variant !== 'no-lock';
    this.el('bufcap').textContent = bufferTitle(variant);
    this.el('buftitle').textContent = bufferSvgTitle(variant);
    const buffer = this.el<SVGSVGElement>('buffer');
    buffer.setAttribute('class', variant === 'pipe' ? 'ts-buffer ts-pipe' : 'ts-buffer ts-ring');
    this.el('farend').textContent = farEndName(variant);
    this.el('fallback').setAttribute('aria-label', farEndName(variant));
  }

  protected async shareText(): Promise<string> {
    const p = this.player;
    const { encodeShare, paramsDifference } = await import('../../sims/tty/index.ts');
    // Name the preset while the run is that preset's configuration (the link then opens in this player only).
    const key = this.dataset.preset;
    const spec = key !== undefined && Object.hasOwn(TTY_PRESETS, key) ? TTY_PRESETS[key] : undefined;
    const preset = spec && paramsDifference(spec.params, p.params) === null ? key : undefined;
    return encodeShare({ model: 'tty', preset, params: p.params, schedule: p.choices, step: p.index });
  }

  protected onWake(): void {
    void this.terminal.start();
  }

  protected async loadViews(): Promise<void> {
    const { createDiagrams } = await import('./views/diagrams.ts');
    this.diagrams = createDiagrams({
      swimlane: this.el<SVGSVGElement>('swimlane'),
      buffer: this.el<SVGSVGElement>('buffer'),
      idPrefix: this.id || 'tty-sim',
      onSeek: (col) => this.seek(col),
    });
    this.diagrams.update(this.player.states, this.player.index, false);
  }

  protected narrationOf(state: TtyState): string {
    return narrationOf(state);
  }

  protected noSourceText(): string {
    return TTY_NO_SOURCE;
  }

  protected choiceHtml(state: TtyState, choice: TtyChoice, index: number): string {
    return choiceButtonHtml(ttyModel.describeChoice(state, choice), index, choice, false);
  }

  protected stepDetail(): Record<string, unknown> {
    return { verdict: this.dataset.verdict };
  }

  protected renderState(state: TtyState, animate: boolean, changed: boolean): void {
    const verdict = verdictOf(state, this.player.finished);
    this.dataset.verdict = verdict.status;
    const verdictEl = this.el('verdict');
    verdictEl.innerHTML = verdictHtml(state, verdict);
    verdictEl.dataset.status = verdict.status;
    if (changed) this.el('tables').innerHTML = tablesHtml(state);
    this.el('bufstat').textContent = bufferStat(state);
    this.el('rxsummary').textContent = `Received ${state.received.length} bytes: ${runsText(state.received)}.`;
    this.terminal.show(state.received);
    this.diagrams?.update(this.player.states, this.player.index, animate);
  }
}

if (!customElements.get('tty-sim')) customElements.define('tty-sim', TtySimElement);
