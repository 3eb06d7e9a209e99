/**
 * The server render of any widget definition (`definition.ts`): the host element with its
 * `data-*`, the shell (`shell.ts`), the stage (diagram tabs, figures with their scenes drawn
 * by `sceneToSvg`, stage parts, tables) and every part, for the first state of a preset. Pure
 * and async (the scenes module is loaded as the browser loads it), so the contract test
 * renders exactly what `Widget.astro` serves, in Node.
 */
import { sceneToSvg } from '../scene/scene.ts';
import type { AnyWidget, FigureDef, PartDef, PartPlace, WidgetCtx } from './definition.ts';
import { widgetCtx } from './definition.ts';
import { presetPlayer } from './preset-player.ts';
import { shellHtml } from './shell.ts';
import { choiceButtonHtml, esc, sourceChipHtml, traceItemHtml } from './shell-html.ts';

/** Options of `widgetHtml`, as `<XxxSim>` takes them. */
export interface WidgetHtmlOptions {
  /** A key of the definition's presets. */
  preset: string;
  /** Element id and prefix of the ids inside (unique on the page). */
  uid: string;
  /** Level of the widget's heading (default 3). */
  headingLevel?: 2 | 3 | 4 | 5;
  /**
   * Draw the first drawing on the server (default true). A lesson with many players draws
   * only its first ones (`Widget.astro`): the others keep their size and their words
   * (`<desc>`, also shown to a reader without scripts) and are drawn as they come into view.
   */
  draw?: boolean;
  /**
   * Write the `<noscript>` style that shows every drawing and table without scripts (default
   * true). It covers every player of the page, so `Widget.astro` writes it with the first only.
   */
  noscriptStyle?: boolean;
}

/** Without JavaScript every drawing and every table shows (a reader with no scripts has no tabs); for every player of a page. */
export const NOSCRIPT_STYLE =
  '<noscript><style>.sim-host figure[data-figure]{display:block!important}.sim-host .sim-tables{display:flex!important}.sim-host .sim-tabs{display:none!important}.sim-host .sim-nojs-desc{display:block!important}.sim-host .sim-zoom:has(g[data-scene]:empty){display:none}</style></noscript>';

/** The attributes of a part's wrapper. */
function partAttrs(p: PartDef<unknown>): string {
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
function tabsHtml(figures: readonly FigureDef<unknown>[], uid: string, first: string): string {
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
function figureHtml(f: FigureDef<unknown>, shown: boolean, inner: string, size: { width: number; height: number } | null, ctx: WidgetCtx<unknown, unknown, unknown>, tabbed: boolean, after = ''): string {
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

/**
 * The whole widget for the first state of `opts.preset`: `<tag class="sim-host" …>` and
 * everything inside. Throws `Error` naming the component and the known presets for an
 * unknown preset (failing the build), or the step where a preset's schedule stops replaying.
 */
export async function widgetHtml(def: AnyWidget, opts: WidgetHtmlOptions): Promise<string> {
  const { spec, player } = presetPlayer(def.component, opts.preset, def.presets, def.model, def.presetsFile);
  const states = player.states;
  const s0 = states[0];
  const frame = def.frame ? def.frame(states) : undefined;
  const ctx = widgetCtx(opts.preset, spec.params, states, 0, frame, opts.uid);
  const mod = def.scenes ? await def.scenes() : { scenes: {} as Record<string, never> };
  const sceneFrame = mod.frame?.(states);
  const tabbed = def.figures.length > 1;
  const first = def.firstFigure?.(ctx) ?? def.figures[0]?.name;
  if (tabbed && !def.figures.some((f) => f.name === first)) throw new Error(`<${def.component}>: firstFigure "${first}" is not one of its figures`);
  const figures = def.figures
    .map((f) => {
      if (f.custom) return figureHtml(f, f.name === first, `<desc id="${ctx.uid}-${esc(f.name)}-desc"></desc>${f.custom(ctx)}`, null, ctx, tabbed);
      const make = mod.scenes[f.name];
      if (!make) throw new Error(`<${def.component}>: figure "${f.name}" has neither a scene nor a custom view`);
      const scene = make(ctx, sceneFrame);
      // Only the drawing a reader sees first is drawn here; the other tabs' drawings (hidden)
      // keep their size and their words (<desc>) and are drawn when the scripts load.
      const drawn = f.name === first && opts.draw !== false;
      // An undrawn drawing's words are written once: in a paragraph a reader without scripts
      // sees; its <desc> is filled when the scene is drawn (`drawScene`).
      const words = drawn ? '' : `<p class="sim-nojs-desc">${esc(scene.desc)}</p>`;
      return figureHtml(f, f.name === first, `<desc id="${ctx.uid}-${esc(f.name)}-desc">${drawn ? esc(scene.desc) : ''}</desc><g data-scene>${drawn ? sceneToSvg(scene) : ''}</g>`, scene, ctx, tabbed, words);
    })
    .join('');
  const stage =
    tabsHtml(def.figures, ctx.uid, first) +
    `<div class="sim-views" data-part="views">${figures}${partsHtml(def, 'stage', ctx)}</div>` +
    `<div class="sim-tables" data-part="tables">${partsHtml(def, 'tables', ctx)}</div>`;
  const narration = def.narration(s0);
  const choices = player
    .enabled()
    .map((c, i) => choiceButtonHtml(def.model.describeChoice(s0, c), i, def.choiceStyle(s0, c), true))
    .join('');
  const shell = shellHtml({
    uid: opts.uid,
    title: spec.title,
    description: spec.description,
    headingLevel: opts.headingLevel,
    steps: player.length,
    narration,
    sourceHtml: sourceChipHtml(def.model.event(s0), def.noSource?.(s0) ?? ''),
    choicesHtml: choices || (def.noChoices?.(s0) ?? ''),
    traceHtml: traceItemHtml(0, narration, def.model.event(s0)),
    schedPromptHtml: def.schedPrompt,
    shareable: def.share ?? true,
    noscript: def.noscript,
    headerHtml: partsHtml(def, 'header', ctx),
    stageHtml: stage,
    captionHtml: partsHtml(def, 'caption', ctx),
    footerHtml: partsHtml(def, 'footer', ctx),
  });
  const facts = factAttrs(def.facts?.(ctx) ?? {});
  const ssr = def.figures.length > 0 && def.figures.every((f) => !f.custom) ? ' data-ssr' : '';
  const cls = `sim-host${def.hostClass ? ` ${esc(def.hostClass)}` : ''}`;
  const noscript = opts.noscriptStyle === false ? '' : NOSCRIPT_STYLE;
  return `${noscript}<${def.tag} id="${esc(opts.uid)}" class="${cls}" data-model="${esc(def.model.id)}" data-preset="${esc(opts.preset)}" data-step="0" data-steps="${player.length}" data-diagrams="pending"${ssr}${tabbed ? ` data-figure="${esc(first)}"` : ''}${facts}>${shell}</${def.tag}>`;
}
