/**
 * A widget definition: everything about one simulation widget, said once, with no DOM, read
 * by the generic server component (`Widget.astro` -> `widgetHtml`), the generic element
 * (`widget-element.ts`) and the contract test (`tests/unit/widget-contract.test.ts`).
 *
 * A widget is a model (`sims/<m>/`), its presets, and words and pictures of a state:
 * - `narration`: one sentence per state (the caption, the scrubber's value text, the trace);
 * - `parts`: named HTML fragments of a state (`data-part="<name>"`), placed in the header,
 *   the stage, the tables (the "Table view"), beside the caption, or below the controls;
 *   the same pure functions render them on the server and on every step in the browser;
 * - `figures`: the diagrams, each an SVG drawn from a DOM-free `Scene`
 *   (`components/scene/scene.ts`) computed by a layout in the lazy `scenes()` module (so d3
 *   and the layouts stay out of a page's first bundle), or drawn by a custom lazy view
 *   (`views()`: the tty swimlane, the mm walk) that is handed the figure's SVG;
 * - `facts`: `data-*` attributes of the host kept current (for CSS and tests);
 * - `choiceStyle`: how each "play the scheduler" button is coloured.
 *
 * See docs/ARCHITECTURE.md ("Adding a widget").
 */
import type { Model } from '../../sims/core/model.ts';
import type { PresetShareSpec } from '../../sims/core/share.ts';
import type { Scene } from '../scene/scene.ts';
import type { ChoiceButtonStyle } from './shell-html.ts';

/** A preset as every `sims/<model>/presets.ts` defines it (extra fields are kept). */
export interface WidgetPreset<P, C> {
  title: string;
  description: string;
  params: P;
  schedule?: readonly C[];
}

/**
 * What a part, a scene or a fact is computed from: the timeline, the step shown, and the
 * per-timeline `frame` (sizes that must not change while stepping, computed once per
 * timeline by `definition.frame`).
 */
export interface WidgetCtx<P, S, F> {
  readonly preset: string;
  readonly params: P;
  /** Every known state of the timeline, 0..length-1. */
  readonly states: readonly S[];
  /** The step shown. */
  readonly index: number;
  /** `states[index]`. */
  readonly state: S;
  /** `states[index - 1]`, or null at step 0. */
  readonly prev: S | null;
  /** `definition.frame(states)` (undefined when the definition has none). */
  readonly frame: F;
  /** Prefix of ids inside the widget (unique on the page). */
  readonly uid: string;
}

/** Where a part goes in the player. */
export type PartPlace =
  /** Under the title (e.g. the parameters in words). Static per run unless `live`. */
  | 'header'
  /** In the stage, beside the figures: shown with the diagrams (e.g. counters). */
  | 'stage'
  /** The "Table view" and the no-JS/before-diagrams view. */
  | 'tables'
  /** Right under the caption, inside the control bar (a verdict line). */
  | 'caption'
  /** Below the controls and the scheduler (e.g. dma-debug reports). */
  | 'footer';

/** A named HTML fragment of a state: `<div data-part="name">html</div>`. */
export interface PartDef<Ctx> {
  name: string;
  place: PartPlace;
  /** The part's HTML (escaped by the function: these are HTML strings). */
  html(ctx: Ctx): string;
  /** Element to wrap in (default `div`). */
  tag?: 'div' | 'p' | 'section' | 'aside';
  /** Class of the wrapper. */
  cls?: string;
  /** Extra attributes of the wrapper, e.g. `{ 'aria-live': 'polite' }` (values escaped). */
  attrs?: Readonly<Record<string, string>>;
  /**
   * When the part is re-rendered: `step` (default: every step whose state differs), `run`
   * (only when the timeline is replaced: words about the parameters).
   */
  update?: 'step' | 'run';
  /**
   * Not server-rendered: the server writes the empty wrapper and the element fills it when it
   * upgrades. For a table view of what the server-rendered drawings already show (their
   * `<desc>` says it in words), so a lesson with many players stays within its HTML budget.
   */
  lazy?: boolean;
}

/** One diagram. */
export interface FigureDef<Ctx> {
  /** Key: the scene of the same name in `scenes()`, `data-figure`, the SVG's part `svg-<name>`. */
  name: string;
  /** The tab's label when the stage has several figures: one or two words. */
  tab: string;
  /** The caption above the drawing (plain text, per run). */
  caption(ctx: Ctx): string;
  /** The SVG's accessible name (plain text, per run). */
  title(ctx: Ctx): string;
  /** A legend under the drawing (HTML, per run), or ''. */
  legend?(ctx: Ctx): string;
  /**
   * Phones (≤ 640 px): the drawing's minimum width in CSS px, so its smallest text stays
   * ≥ 11 px (`phoneMinWidth(smallest font size)` of `components/scene/scene.ts`); the figure
   * scrolls inside.
   */
  phoneMinWidth?: number;
  /** Class of the `<svg>` (e.g. `sg-svg`). */
  svgClass?: string;
  /**
   * A figure drawn by the custom view (`views()`) instead of a scene: the SVG's initial
   * inner HTML for the server (may be empty: the custom view draws it on load).
   */
  custom?: (ctx: Ctx) => string;
}

/**
 * The lazily loaded layouts: a scene per (non-custom) figure name, and the layouts' own
 * per-timeline frame (sizes fixed for a whole run), computed once per timeline and passed to
 * every scene. Kept out of the definition so d3 and the layouts load only with the diagrams.
 */
export interface SceneModule<S, Ctx> {
  frame?(states: readonly S[]): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  scenes: Readonly<Record<string, (ctx: Ctx, frame: any) => Scene>>;
}

/** A custom view, created once over the figures' SVGs after it loads, updated on every step. */
export interface CustomView<Ctx> {
  /** Draws `ctx`; `animate` tweens from what is on screen (a one-step move). */
  update(ctx: Ctx, animate: boolean): void;
  /** Stops timers and listeners (the widget left the page). */
  dispose?(): void;
}

/** What a custom view is given. */
export interface CustomViewHost {
  /** The widget's host element. */
  host: HTMLElement;
  /** The SVG of figure `name`. */
  svg(name: string): SVGSVGElement;
  /** Moves the player to step `i` (e.g. a click on a swimlane column). */
  seek(i: number): void;
}

/** The widget definition. `P`, `S`, `C` are the model's types; `F` the per-timeline frame. */
export interface WidgetDefinition<P, S, C, F = undefined> {
  /** The custom element's tag, e.g. `sg-sim` (its event is `<tag>:step`). */
  tag: string;
  /** The authoring name lessons write, e.g. `SgSim` (`<SgSim preset="…" />`). */
  component: string;
  model: Model<P, S, C>;
  presets: Readonly<Record<string, WidgetPreset<P, C>>>;
  /** Where the presets live, for build errors: `sims/dma/presets.ts`. */
  presetsFile: string;
  /** The model in words, for link messages: "scatter-gather simulation". */
  noun: string;
  /** Classes of the host besides `sim-host` (the widget's CSS hooks). */
  hostClass?: string;
  /** One sentence for a state (the initial state has its own). */
  narration(state: S): string;
  /** The muted chip for a step with no kernel source ('' = none). */
  noSource?(state: S): string;
  /** The choices box when nothing is enabled (HTML). */
  noChoices?(state: S): string;
  /** The prompt above the scheduler buttons (HTML). */
  schedPrompt?: string;
  /** How the button of an enabled choice is styled: every enabled choice needs a colour. */
  choiceStyle(state: S, choice: C): ChoiceButtonStyle;
  /** Data fixed for a whole timeline (scene sizes): computed once per timeline. */
  frame?(states: readonly S[]): F;
  parts: readonly PartDef<WidgetCtx<P, S, F>>[];
  figures: readonly FigureDef<WidgetCtx<P, S, F>>[];
  /** The figure a player opens on (a name in `figures`), e.g. by preset; default the first. */
  firstFigure?(ctx: WidgetCtx<P, S, F>): string;
  /** The scenes of the non-custom figures, loaded lazily (d3 and layouts stay out of the first bundle). */
  scenes?: () => Promise<SceneModule<S, WidgetCtx<P, S, F>>>;
  /** The custom view of the `custom` figures, loaded lazily. */
  views?: () => Promise<(host: CustomViewHost) => CustomView<WidgetCtx<P, S, F>>>;
  /** `data-*` attributes of the host (names without `data-`), kept current on every step. */
  facts?(ctx: WidgetCtx<P, S, F>): Readonly<Record<string, string>>;
  /** Extra fields of the step event's detail. */
  stepDetail?(ctx: WidgetCtx<P, S, F>): Readonly<Record<string, unknown>>;
  /** Offer "Copy link to this step" (preset links, `sims/core/share.ts`). Default true. */
  share?: boolean;
  /** Milliseconds per step at 1× speed (default 1000). */
  stepMs?: number;
  /** The `<noscript>` note. */
  noscript?: string;
  /** Part names an element subclass reads besides the shell's and `parts` (checked by the contract test). */
  extraParts?: readonly string[];
}

/** Any widget definition (for lists and the generic components). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWidget = WidgetDefinition<any, any, any, any>;

/** The preset codec's view of a definition (`sims/core/share.ts`). */
export function shareSpecOf<P, S, C, F>(def: WidgetDefinition<P, S, C, F>): PresetShareSpec<P, S, C> {
  return { model: def.model, presets: def.presets, noun: def.noun };
}

/** The context of step `index` of `states`. `frame` is the timeline's (compute it once). */
export function widgetCtx<P, S, F>(preset: string, params: P, states: readonly S[], index: number, frame: F, uid: string): WidgetCtx<P, S, F> {
  return { preset, params, states, index, state: states[index], prev: index > 0 ? states[index - 1] : null, frame, uid };
}

/**
 * The props of a preset player's component (`<SgSim preset="map-iommu" />`): `preset`, a key
 * of the definition's presets (an unknown one fails the build, naming the known ones); optional
 * `headingLevel` (2..5, default 3) and `id` (default a unique one). A widget's `.astro` imports
 * it as its `Props` and passes them to `Widget.astro` with its definition.
 */
export type PresetProps = { preset: string; headingLevel?: 2 | 3 | 4 | 5; id?: string };

/**
 * A widget's figures that share their SVG class and phone width (a widget's scenes are usually
 * drawn alike): each figure gets `common`'s `svgClass` and `phoneMinWidth` unless it names its
 * own. Returns a new list; the figures are not changed.
 */
export function sceneFigures<Ctx>(common: Pick<FigureDef<Ctx>, 'svgClass' | 'phoneMinWidth'>, figures: readonly FigureDef<Ctx>[]): FigureDef<Ctx>[] {
  return figures.map((f) => ({ ...common, ...f }));
}

/**
 * A definition's `noSource` (the muted chip of a step that runs no kernel function) from a
 * table of words by actor: `actorOf(state)` names who acted in the state's step (a model's
 * `StepEvent.actor`, a string or a number; undefined for the initial state, which has no chip);
 * the chip says `words[String(actor)]`, or `otherwise` for an actor the table leaves out
 * (default '', no chip: that actor's steps show their source).
 */
export function noSourceByActor<S>(
  actorOf: (state: S) => string | number | undefined,
  words: Readonly<Record<string, string>>,
  otherwise = '',
): (state: S) => string {
  return (state) => {
    const actor = actorOf(state);
    if (actor === undefined) return '';
    return Object.hasOwn(words, String(actor)) ? words[String(actor)] : otherwise;
  };
}

/** JSON-like data with its object keys sorted (for `sameData`). */
function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical);
  if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical((x as Record<string, unknown>)[k])]));
  return x;
}

/**
 * True when two plain-data values (parameters, schedules) are the same: equal JSON text with
 * object keys in any order (so compare data, not functions; a cycle is never equal).
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  } catch {
    return false;
  }
}
