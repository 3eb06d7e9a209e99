/**
 * The generic element of a widget definition (`definition.ts`): one class that plays any
 * model. `defineWidget(def)` registers `<def.tag>`; a widget subclasses `WidgetElement` only
 * for real extras (the tty terminal and its any-parameters `load`, the mm walk form) and
 * passes the subclass to `defineWidget`.
 *
 * On top of the shell (`sim-player-element.ts`: controls, scrubber, scheduler, caption,
 * trace, table view, lazy loading, share box) it:
 * - builds the player from the host's `data-preset`;
 * - re-renders each part of the definition (`data-part`) when the state changes (parts with
 *   `update: 'run'` only when the timeline is replaced), and keeps the definition's facts
 *   as `data-*` on the host;
 * - loads the scenes module, the scene drawer (d3) and the custom view on first use, and
 *   draws every figure at every step;
 * - shows one figure at a time when there are several (ARIA tabs: click, arrows, Home/End),
 *   and follows the step: when the figure shown did not change and another did, that one is
 *   shown, until the learner picks a tab (Reset lets it follow again);
 * - shares: "Copy link to this step" writes a preset link (`sims/core/share.ts`) while the
 *   run has its preset's parameters (a run `load`ed with others has no link, and says so),
 *   and `openShare` opens one (the page's `share-link.ts` calls it);
 * - `load(run)` shows any run of the model: parameters, seed, schedule, step, heading (the
 *   Lab's outputs, the workshop room, share links).
 *
 * Host attributes (besides the shell's): `data-model`, `data-preset`, `data-figure` (the
 * figure shown), `data-loaded` (`true` once `load` replaced the timeline), and the facts.
 */
import { decodePresetShare, encodePresetShare, type PresetRun } from '../../sims/core/share.ts';
import type { Scene } from '../scene/scene.ts';
import type { AnyWidget, CustomView, SceneModule, WidgetCtx } from './definition.ts';
import { sameData, shareSpecOf, widgetCtx } from './definition.ts';
import { PlayerCore } from './player-core.ts';
import { choiceButtonHtml } from './shell-html.ts';
import { SimPlayerElement, type On } from './sim-player-element.ts';

/** The markup functions of a light render's build (`widget-body.ts`), loaded on first need. */
type BodyModule = typeof import('./widget-body.ts');
let bodyModule: BodyModule | null = null;
let bodyLoading: Promise<BodyModule> | null = null;

type Ctx = WidgetCtx<unknown, unknown, unknown>;
type DrawScene = (svg: SVGSVGElement, scene: Scene, animate: boolean) => void;

/** Ids the element's definition is found by (set by `defineWidget` on each class). */
const DEFINITION = Symbol('widget definition');

export class WidgetElement extends SimPlayerElement<unknown, unknown, unknown> {
  static [DEFINITION]: AnyWidget;

  /** The definition this element plays. */
  protected get def(): AnyWidget {
    return (this.constructor as typeof WidgetElement)[DEFINITION];
  }
  protected get widgetName(): string {
    return this.def.tag;
  }
  protected get eventName(): string {
    return `${this.def.tag}:step`;
  }

  private frameOf: { last: unknown; length: number; frame: unknown } | null = null;
  private scenes: SceneModule<unknown, Ctx> | null = null;
  private sceneFrame: { last: unknown; length: number; frame: unknown } | null = null;
  private draw: DrawScene | null = null;
  private view: CustomView<Ctx> | null = null;
  /** Scene markup last drawn per figure (to know which figure a step changed). */
  private drawnKey = new Map<string, string>();
  /** The learner picked a tab: stop following the step. */
  private pinned = false;

  constructor() {
    super();
    if (this.def.stepMs) this.stepMs = this.def.stepMs;
  }

  /** The preset this player shows. */
  get preset(): string {
    return this.dataset.preset ?? '';
  }

  /** The context of step `index` (default: the current step; the frame computed once per timeline). */
  protected ctx(index = this.player.index): Ctx {
    const p = this.player;
    const states = p.states;
    const last = states[states.length - 1];
    if (!this.frameOf || this.frameOf.last !== last || this.frameOf.length !== states.length) {
      this.frameOf = { last, length: states.length, frame: this.def.frame ? this.def.frame(states) : undefined };
    }
    return widgetCtx(this.preset, p.params, states, index, this.frameOf.frame, this.id || this.def.tag);
  }

  // ---- the shell's hooks ------------------------------------------------------------------

  protected createPlayer(): PlayerCore<unknown, unknown, unknown> | string {
    const def = this.def;
    const key = this.preset;
    const spec = Object.hasOwn(def.presets, key) ? def.presets[key] : undefined;
    if (!spec) return `Unknown simulation preset "${key}": this page and the site's scripts disagree. Reload the page.`;
    try {
      return new PlayerCore({ model: def.model, params: spec.params, seed: 1, schedule: spec.schedule });
    } catch (e) {
      return `This simulation could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /**
   * Loads `widget-body.ts` (once per page, shared by every widget): it is not in a lesson's
   * first bundle, since no player is built while the page loads.
   */
  protected prepareBuild(): Promise<void> {
    bodyLoading ??= import('./widget-body.ts').then((m) => (bodyModule = m));
    return bodyLoading.then(() => undefined);
  }

  protected canBuild(): boolean {
    return bodyModule !== null;
  }

  /**
   * A light render: the server's placeholder becomes the whole player for step 0, from the
   * same function the server's whole render uses (`widgetBodyHtml`); the heading and the
   * description are the ones shown, each drawing's size comes from `data-boxes`.
   */
  protected buildBody(): void {
    const { parseBoxes, widgetBodyHtml } = bodyModule!;
    const p = this.player;
    const ctx = this.ctx(0);
    const level = Number(this.maybeEl('title')?.tagName.slice(1));
    const html = widgetBodyHtml({
      def: this.def,
      ctx,
      title: this.maybeEl('title')?.textContent ?? '',
      description: this.maybeEl('desc')?.textContent ?? '',
      headingLevel: level === 2 || level === 4 || level === 5 ? level : 3,
      steps: p.length,
      choices: this.def.model.enabled(p.states[0]),
      boxes: parseBoxes(this.dataset.boxes ?? ''),
    });
    const t = document.createElement('template');
    t.innerHTML = html;
    this.replaceChildren(t.content);
  }

  protected narrationOf(state: unknown): string {
    return this.def.narration(state);
  }

  protected choiceHtml(state: unknown, choice: unknown, index: number): string {
    return choiceButtonHtml(this.def.model.describeChoice(state, choice), index, this.def.choiceStyle(state, choice));
  }

  protected noSourceText(state: unknown): string {
    return this.def.noSource?.(state) ?? '';
  }

  protected noChoicesHtmlFor(state: unknown): string {
    return this.def.noChoices?.(state) ?? this.noChoicesHtml;
  }

  protected stepDetail(): Record<string, unknown> {
    return { ...(this.def.stepDetail?.(this.ctx()) ?? {}) };
  }

  protected renderState(_state: unknown, animate: boolean, changed: boolean): void {
    const ctx = this.ctx();
    for (const [k, v] of Object.entries(this.def.facts?.(ctx) ?? {})) this.setAttribute(`data-${k}`, v);
    if (changed) {
      for (const part of this.def.parts) {
        if (part.update === 'run') continue;
        const el = this.maybeEl(part.name);
        if (el) {
          const html = part.html(ctx);
          if (el.innerHTML !== html) el.innerHTML = html;
        }
      }
    }
    this.drawFigures(ctx, animate);
  }

  /** Draws every figure (once the views are loaded) and follows the figure this step changed. */
  private drawFigures(ctx: Ctx, animate: boolean): void {
    const changedFigures: string[] = [];
    if (this.scenes && this.draw) {
      const states = ctx.states;
      const last = states[states.length - 1];
      if (!this.sceneFrame || this.sceneFrame.last !== last || this.sceneFrame.length !== states.length) {
        this.sceneFrame = { last, length: states.length, frame: this.scenes.frame?.(states) };
      }
      for (const f of this.def.figures) {
        if (f.custom) continue;
        const scene = this.scenes.scenes[f.name](ctx, this.sceneFrame.frame);
        const key = JSON.stringify(scene.shapes);
        if (this.drawnKey.has(f.name) && this.drawnKey.get(f.name) !== key) changedFigures.push(f.name);
        this.drawnKey.set(f.name, key);
        this.draw(this.el<SVGSVGElement>(`svg-${f.name}`), scene, animate);
      }
    }
    this.view?.update(ctx, animate);
    const shown = this.dataset.figure;
    if (!this.pinned && shown && changedFigures.length > 0 && !changedFigures.includes(shown)) this.showFigure(changedFigures[0], false);
  }

  protected async loadViews(): Promise<void> {
    const def = this.def;
    const [scenes, draw, makeView] = await Promise.all([
      def.scenes ? def.scenes() : Promise.resolve(null),
      def.scenes ? import('../scene/draw.ts').then((m) => m.drawScene) : Promise.resolve(null),
      def.views ? def.views() : Promise.resolve(null),
    ]);
    this.scenes = scenes;
    this.draw = draw;
    if (makeView) {
      this.view = makeView({ host: this, svg: (name) => this.el<SVGSVGElement>(`svg-${name}`), seek: (i) => this.seek(i) });
    }
    this.drawnKey.clear();
    this.drawFigures(this.ctx(), false);
  }

  // ---- tabs -------------------------------------------------------------------------------

  /** Shows figure `name` (one at a time when there are several); `focus` moves focus to its tab. */
  protected showFigure(name: string, focus: boolean): void {
    const tabs = Array.from(this.querySelectorAll<HTMLButtonElement>('[data-part="tabs"] [role="tab"]'));
    if (tabs.length === 0) return;
    for (const t of tabs) {
      const on = t.dataset.tab === name;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      if (on && focus) t.focus();
    }
    for (const fig of this.querySelectorAll<HTMLElement>('[data-part="views"] > figure[data-figure]')) fig.hidden = fig.dataset.figure !== name;
    this.dataset.figure = name;
    this.focusableScrollers();
  }

  protected wireExtra(on: On): void {
    const list = this.maybeEl('tabs');
    if (list) {
      on(list, 'click', (e) => {
        const tab = (e.target as HTMLElement).closest<HTMLButtonElement>('[role="tab"]');
        if (!tab?.dataset.tab) return;
        this.pinned = true;
        this.showFigure(tab.dataset.tab, false);
      });
      on(list, 'keydown', (e) => {
        const tabs = Array.from(list.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
        const i = tabs.findIndex((t) => t.getAttribute('aria-selected') === 'true');
        const to: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
        if (!(e.key in to)) return;
        e.preventDefault();
        const next = tabs[(to[e.key] + tabs.length) % tabs.length];
        this.pinned = true;
        this.showFigure(next.dataset.tab!, true);
      });
    }
    on(this.el('reset'), 'click', () => (this.pinned = false));
  }

  // ---- share links ------------------------------------------------------------------------

  /**
   * A preset link (`sims/core/share.ts`) names the preset and carries only the choices, so a
   * run whose parameters (or seed) are not the preset's has none: that throws, and the share
   * box says so instead of writing a link to another run.
   */
  protected async shareText(): Promise<string | null> {
    if (this.def.share === false) return null;
    const spec = Object.hasOwn(this.def.presets, this.preset) ? this.def.presets[this.preset] : undefined;
    if (!spec || !sameData(spec.params, this.player.params) || this.player.seed !== 1) {
      throw new Error('this run\'s parameters are not a preset\'s, so it has no link (a link names a preset and carries only the steps chosen)');
    }
    return encodePresetShare(shareSpecOf(this.def), { preset: this.preset, schedule: this.player.choices, step: this.player.index });
  }

  /**
   * Shows another run in this player (share links, the workshop room, the Lab): its
   * parameters (default: the preset's), seed (default: the one shown), the choices from the
   * initial state, at `step`, and optionally a new heading and description. Everything is
   * checked first: on parameters the model rejects (`initialState` throws), a schedule that
   * does not replay, or a step outside `0..schedule.length`, it returns a message and changes
   * nothing. Returns null on success. Never throws.
   */
  load(run: WidgetRun): string | null {
    if (!this.ensureStarted()) return this.notStarted();
    const spec = Object.hasOwn(this.def.presets, this.preset) ? this.def.presets[this.preset] : undefined;
    const params = run.params !== undefined ? run.params : spec ? spec.params : this.player.params;
    const seed = run.seed ?? this.player.seed;
    let next: PlayerCore<unknown, unknown, unknown>;
    try {
      if (!Number.isFinite(seed)) throw new Error(`the seed must be a number, got ${String(seed)}`);
      next = new PlayerCore({ model: this.def.model, params, seed, schedule: run.schedule });
    } catch (e) {
      return `This run cannot be shown: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!Number.isInteger(run.step) || run.step < 0 || run.step >= next.length) return `This run cannot be shown: step ${run.step} is outside its ${next.length - 1} steps.`;
    next.seek(run.step);
    if (run.title !== undefined) this.el('title').textContent = run.title;
    if (run.description !== undefined) this.el('desc').textContent = run.description;
    this.dataset.loaded = 'true';
    this.replacePlayer(next);
    this.renderRunParts();
    return null;
  }

  /**
   * Re-renders what depends on the run, not the step (after `load`): the parts with
   * `update: 'run'` and every figure's caption, accessible name and legend (they may word
   * the parameters).
   */
  protected renderRunParts(): void {
    const ctx = this.ctx();
    for (const part of this.def.parts) {
      if (part.update !== 'run') continue;
      const el = this.maybeEl(part.name);
      if (el) el.innerHTML = part.html(ctx);
    }
    for (const f of this.def.figures) {
      const cap = this.maybeEl(`cap-${f.name}`);
      if (cap) cap.textContent = f.caption(ctx);
      const title = this.maybeEl(`title-${f.name}`);
      if (title) title.textContent = f.title(ctx);
      const legend = this.maybeEl(`legend-${f.name}`);
      const html = f.legend?.(ctx) ?? '';
      if (legend && legend.innerHTML !== html) legend.innerHTML = html;
    }
  }

  /** Why `load` could not show a run in a player that has not started. */
  protected notStarted(): string {
    return this.dataset.build === 'pending' && !this.canBuild()
      ? 'This player is still loading; try again in a moment (or call whenStarted() first).'
      : 'This player could not start, so it cannot show another run.';
  }

  /**
   * Opens share text (from `share-link.ts`): `'opened'`, `'not-mine'` (a link to another
   * preset of the same model) or the decoder's sentence for a damaged or outdated link.
   */
  async openShare(text: string, _any: boolean): Promise<'opened' | 'not-mine' | string> {
    const decoded = decodePresetShare(shareSpecOf(this.def), text);
    if (!decoded.ok) return decoded.error;
    if (decoded.preset !== this.preset) return 'not-mine';
    if (!(await this.whenStarted())) return 'This player could not start, so it cannot open this link.';
    const spec = this.def.presets[this.preset];
    return this.load({ params: spec.params, seed: 1, schedule: decoded.schedule, step: decoded.step }) ?? 'opened';
  }
}

/** A run in the preset codec's terms (re-exported for subclasses). */
export type { PresetRun };

/**
 * A run to show in a player: what `WidgetElement.load` takes (the tty element's `LoadRun`
 * is this shape with the tty model's types).
 */
export interface WidgetRun<P = unknown, C = unknown> {
  /** The parameters, checked by the model (default: the preset's; the tty element keeps the ones shown). */
  params?: P;
  /** Choices from the initial state (`[]`: the learner or the scheduler picks every step). */
  schedule: readonly C[];
  /** State to show, 0 to `schedule.length`. */
  step: number;
  /** The model's seed (default: the one shown; presets use 1). */
  seed?: number;
  /** New heading (default: keep the current one). */
  title?: string;
  /** New description under the heading (default: keep the current one). */
  description?: string;
}

/**
 * Registers `<def.tag>` as `Base` (default `WidgetElement`) playing `def`. Safe to call twice
 * (a page that imports a widget's element from two scripts). Returns the registered class.
 */
export function defineWidget<T extends typeof WidgetElement>(def: AnyWidget, Base?: T): CustomElementConstructor {
  const existing = customElements.get(def.tag);
  if (existing) return existing;
  const Cls = class extends (Base ?? WidgetElement) {};
  (Cls as typeof WidgetElement)[DEFINITION] = def;
  customElements.define(def.tag, Cls);
  return Cls;
}
