/**
 * The markup of a widget player for the first state of a run, as pure HTML strings (no DOM,
 * no scene code): the host's opening tag with its `data-*`, the header, the stage (diagram
 * tabs, figure shells, stage parts, tables), the control bar, the share box, the scheduler
 * and the trace (`shell.ts`). Synchronous and small, so both sides use it:
 *
 * - the server (`widget-html.ts`): the whole player for the Lab and a tty run of any
 *   parameters, and the light first render of a lesson player (`widgetHtml(def, { light: true })`: host,
 *   header, first narration);
 * - the element (`widget-element.ts`), which builds the rest of a light player in the page
 *   when it comes near the viewport or is needed (a share link, `load`, a first click), with
 *   these same functions: one source of markup.
 *
 * A figure drawn by a scene needs its size (the scene's size is fixed for a whole run) so its
 * room is reserved before it is drawn: the server computes it from the scenes module and
 * writes it in the light render's `data-boxes` (`boxesAttr` / `parseBoxes`).
 */
import type { AnyWidget, FigureDef, PartDef, PartPlace, WidgetCtx } from './definition.ts';
import { shellHtml } from './shell.ts';
import { choiceButtonHtml, esc, sourceChipHtml, traceItemHtml } from './shell-html.ts';

/** A scene's size in its own units (the SVG's `viewBox`), fixed for a whole run. */
export interface Box {
  width: number;
  height: number;
}

/** What the server adds to a figure it renders whole: the drawing's words and, if drawn, its SVG. */
export interface FigureExtra {
  /** The drawing's description (`scene.desc`). */
  desc: string;
  /** The drawn scene (`sceneToSvg`), or undefined when the element draws it later. */
  svg?: string;
}

/** What `widgetBodyHtml` renders: a run's first state, in the words of its definition. */
export interface BodyInput {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: AnyWidget;
  /** The context of step 0 (`widgetCtx(…, 0, …)`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ctx: WidgetCtx<any, any, any>;
  title: string;
  description: string;
  /** Level of the heading (default 3). */
  headingLevel?: 2 | 3 | 4 | 5;
  /** Known states of the timeline. */
  steps: number;
  /** The choices enabled at step 0 (the scheduler's buttons). */
  choices: readonly unknown[];
  /** Each scene figure's size (a custom figure has none). */
  boxes: Readonly<Record<string, Box>>;
  /**
   * Server only: each scene figure's words and drawing. A figure with words and no drawing
   * gets a paragraph of them that a reader without scripts sees; the element, which draws at
   * once, passes none.
   */
  extras?: Readonly<Record<string, FigureExtra>>;
}

/** The attributes of a part's wrapper. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function partAttrs(p: PartDef<any>): string {
  const attrs = Object.entries(p.attrs ?? {})
    .map(([k, v]) => ` ${esc(k)}="${esc(v)}"`)
    .join('');
  return `data-part="${esc(p.name)}"${p.cls ? ` class="${esc(p.cls)}"` : ''}${attrs}`;
}

/** The HTML of every part placed at `place`, wrapped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function partsHtml(def: AnyWidget, place: PartPlace, ctx: WidgetCtx<any, any, any>): string {
  return def.parts
    .filter((p) => p.place === place)
    .map((p) => {
      const tag = p.tag ?? 'div';
      return `<${tag} ${partAttrs(p)}>${p.lazy ? '' : p.html(ctx)}</${tag}>`;
    })
    .join('');
}

/** The `data-*` facts as attributes. */
function factAttrs(facts: Readonly<Record<string, string>>): string {
  return Object.entries(facts)
    .map(([k, v]) => ` data-${esc(k)}="${esc(v)}"`)
    .join('');
}

/** The tab list over the figures (only when there are several). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function tabsHtml(figures: readonly FigureDef<any>[], uid: string, first: string): string {
  if (figures.length < 2) return '';
  const tabs = figures
    .map(
      (f) =>
        `<button type="button" role="tab" class="sim-tab" id="${uid}-tab-${esc(f.name)}" aria-controls="${uid}-fig-${esc(f.name)}" aria-selected="${f.name === first}" tabindex="${f.name === first ? 0 : -1}" data-tab="${esc(f.name)}">${esc(f.tab)}</button>`,
    )
    .join('');
  return `<div class="sim-tabs" role="tablist" aria-label="Diagrams" data-part="tabs">${tabs}</div>`;
}

/** One figure: caption, the SVG (scene or custom), legend. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function figureHtml(f: FigureDef<any>, shown: boolean, inner: string, size: Box | null, ctx: WidgetCtx<any, any, any>, tabbed: boolean, after = ''): string {
  const uid = ctx.uid;
  const n = esc(f.name);
  const viewBox = size ? ` viewBox="0 0 ${size.width} ${size.height}"` : '';
  const minW = f.phoneMinWidth ? ` style="--phone-min-w:${f.phoneMinWidth}px"` : '';
  const tab = tabbed ? ` role="tabpanel" aria-labelledby="${uid}-tab-${n}"${shown ? '' : ' hidden'}` : '';
  const legend = f.legend?.(ctx) ?? '';
  // A tab panel's caption is a paragraph: a <figure> with a <figcaption> may not take role="tabpanel" (ARIA in HTML).
  const cap = tabbed ? 'p' : 'figcaption';
  return (
    `<figure class="sim-fig sim-diagram" id="${uid}-fig-${n}" data-figure="${n}"${tab}>` +
    `<${cap} class="sim-figcap" data-part="cap-${n}">${esc(f.caption(ctx))}</${cap}>` +
    `<div class="sim-zoom"><svg data-part="svg-${n}" class="sim-svg${f.svgClass ? ` ${esc(f.svgClass)}` : ''}"${viewBox}${minW} role="img" aria-labelledby="${uid}-${n}-title ${uid}-${n}-desc">` +
    `<title id="${uid}-${n}-title" data-part="title-${n}">${esc(f.title(ctx))}</title>${inner}</svg></div>` +
    after +
    (legend ? `<div class="sim-legend" data-part="legend-${n}">${legend}</div>` : '') +
    `</figure>`
  );
}

/** The figure a run opens on. Throws `Error` when the definition names one it does not have. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function firstFigureOf(def: AnyWidget, ctx: WidgetCtx<any, any, any>): string | undefined {
  const first = def.firstFigure?.(ctx) ?? def.figures[0]?.name;
  if (def.figures.length > 1 && !def.figures.some((f) => f.name === first)) throw new Error(`<${def.component}>: firstFigure "${first}" is not one of its figures`);
  return first;
}

/** The stage: tabs, figures (shells, or drawn on the server), stage parts, tables. */
function stageHtml(o: BodyInput): string {
  const { def, ctx } = o;
  const tabbed = def.figures.length > 1;
  const first = firstFigureOf(def, ctx) ?? '';
  const figures = def.figures
    .map((f) => {
      const descId = `${ctx.uid}-${esc(f.name)}-desc`;
      if (f.custom) return figureHtml(f, f.name === first, `<desc id="${descId}"></desc>${f.custom(ctx)}`, null, ctx, tabbed);
      const box = o.boxes[f.name];
      if (!box) throw new Error(`<${def.component}>: figure "${f.name}" has neither a scene size nor a custom view`);
      const extra = o.extras?.[f.name];
      const drawn = extra?.svg !== undefined;
      // An undrawn drawing's words are written once: in a paragraph a reader without scripts
      // sees; its <desc> is filled when the scene is drawn (`drawScene`).
      const words = extra && !drawn ? `<p class="sim-nojs-desc">${esc(extra.desc)}</p>` : '';
      return figureHtml(f, f.name === first, `<desc id="${descId}">${drawn ? esc(extra.desc) : ''}</desc><g data-scene>${drawn ? extra.svg : ''}</g>`, box, ctx, tabbed, words);
    })
    .join('');
  return (
    tabsHtml(def.figures, ctx.uid, first) +
    `<div class="sim-views" data-part="views">${figures}${partsHtml(def, 'stage', ctx)}</div>` +
    `<div class="sim-tables" data-part="tables">${partsHtml(def, 'tables', ctx)}</div>`
  );
}

/**
 * The player's `<section>` for step 0 of a run: header, stage, control bar, share box,
 * scheduler, trace (`shellHtml`). Throws `Error` for a scene figure with no size.
 */
export function widgetBodyHtml(o: BodyInput): string {
  const { def, ctx } = o;
  const s0 = ctx.states[0];
  const narration = def.narration(s0);
  const choices = o.choices.map((c, i) => choiceButtonHtml(def.model.describeChoice(s0, c), i, def.choiceStyle(s0, c), true)).join('');
  return shellHtml({
    uid: ctx.uid,
    title: o.title,
    description: o.description,
    headingLevel: o.headingLevel,
    steps: o.steps,
    narration,
    sourceHtml: sourceChipHtml(def.model.event(s0), def.noSource?.(s0) ?? ''),
    choicesHtml: choices || (def.noChoices?.(s0) ?? ''),
    traceHtml: traceItemHtml(0, narration, def.model.event(s0)),
    schedPromptHtml: def.schedPrompt,
    shareable: def.share ?? true,
    noscript: def.noscript,
    headerHtml: partsHtml(def, 'header', ctx),
    stageHtml: stageHtml(o),
    captionHtml: partsHtml(def, 'caption', ctx),
    footerHtml: partsHtml(def, 'footer', ctx),
  });
}

/**
 * The host's opening tag for step 0: `<tag id class data-model data-preset data-step
 * data-steps data-diagrams [data-ssr] [data-figure] …facts …extra>`. `extra` is more
 * attribute text (already escaped), e.g. the light render's `data-build`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function hostOpenHtml(def: AnyWidget, ctx: WidgetCtx<any, any, any>, steps: number, extra = ''): string {
  const tabbed = def.figures.length > 1;
  const first = firstFigureOf(def, ctx);
  const facts = factAttrs(def.facts?.(ctx) ?? {});
  const ssr = def.figures.length > 0 && def.figures.every((f) => !f.custom) ? ' data-ssr' : '';
  const cls = `sim-host${def.hostClass ? ` ${esc(def.hostClass)}` : ''}`;
  return `<${def.tag} id="${esc(ctx.uid)}" class="${cls}" data-model="${esc(def.model.id)}" data-preset="${esc(ctx.preset)}" data-step="0" data-steps="${steps}" data-diagrams="pending"${ssr}${tabbed && first ? ` data-figure="${esc(first)}"` : ''}${facts}${extra}>`;
}

/** `data-boxes` text: `name:WxH` per scene figure, space-separated. */
export function boxesAttr(boxes: Readonly<Record<string, Box>>): string {
  return Object.entries(boxes)
    .map(([k, b]) => `${k}:${b.width}x${b.height}`)
    .join(' ');
}

/** Reads `boxesAttr` text back; entries that do not parse are left out. */
export function parseBoxes(text: string): Record<string, Box> {
  const out: Record<string, Box> = {};
  for (const item of text.split(/\s+/)) {
    const m = /^([\w-]+):([\d.]+)x([\d.]+)$/.exec(item);
    if (m) out[m[1]] = { width: Number(m[2]), height: Number(m[3]) };
  }
  return out;
}
