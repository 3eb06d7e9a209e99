/**
 * The server render of any widget definition (`definition.ts`), for the first state of a
 * preset. Two forms, from the same pure functions (`widget-body.ts`):
 *
 * - whole (default): the host and everything inside (the shell, the stage with its figures,
 *   every part). The Lab and a tty run of any parameters use it; the contract test checks it.
 * - light (`light: true`, what `Widget.astro` serves in a lesson): the host with its `data-*`
 *   (the facts), the header (heading, description, the header parts: the parameters in
 *   words) and the first step's narration, in a box that keeps the player's room
 *   (`.sim-pending`). The element builds the rest in the page (`widgetBodyHtml`) when it comes
 *   near the viewport or is needed. See docs/ARCHITECTURE.md, "Page weight".
 *
 * Pure and async (the scenes module is loaded as the browser loads it, for each drawing's
 * size), so the tests render exactly what the server serves, in Node.
 */
import { sceneToSvg, type Scene } from '../scene/scene.ts';
import type { AnyWidget } from './definition.ts';
import { widgetCtx } from './definition.ts';
import { presetPlayer } from './preset-player.ts';
import { shellHeadHtml } from './shell.ts';
import { esc } from './shell-html.ts';
import { boxesAttr, firstFigureOf, hostOpenHtml, partsHtml, widgetBodyHtml, type Box, type FigureExtra } from './widget-body.ts';

export { partsHtml } from './widget-body.ts';

/** Options of `widgetHtml`, as `<XxxSim>` takes them. */
export interface WidgetHtmlOptions {
  /** A key of the definition's presets. */
  preset: string;
  /** Element id and prefix of the ids inside (unique on the page). */
  uid: string;
  /** Level of the widget's heading (default 3). */
  headingLevel?: 2 | 3 | 4 | 5;
  /**
   * Draw the first drawing on the server (default true; whole render only). The others keep
   * their size and their words (`<desc>`, also shown to a reader without scripts) and are
   * drawn when the scripts load.
   */
  draw?: boolean;
  /**
   * Write the `<noscript>` style that shows every drawing and table without scripts (a light
   * render's: that drops the room kept for them) (default true). It covers every player of the
   * page, so `Widget.astro` writes it with the first only.
   */
  noscriptStyle?: boolean;
  /** The light render (see the module's comment): the element builds the rest. Default false. */
  light?: boolean;
}

/** Without JavaScript every drawing and every table shows (a reader with no scripts has no tabs); for every player of a page. */
export const NOSCRIPT_STYLE =
  '<noscript><style>.sim-host figure[data-figure]{display:block!important}.sim-host .sim-tables{display:flex!important}.sim-host .sim-tabs{display:none!important}.sim-host .sim-nojs-desc{display:block!important}.sim-host .sim-zoom:has(g[data-scene]:empty){display:none}</style></noscript>';

/** Without JavaScript a light render keeps no room for the drawings it will never build; for every player of a page. */
export const LIGHT_NOSCRIPT_STYLE = '<noscript><style>.sim-host .sim-pending::before,.sim-host .sim-pending::after{display:none}</style></noscript>';

/** What a reader without scripts is told in a light render, where no drawing is on the page. */
export const LIGHT_NOSCRIPT = 'The player needs JavaScript: without it, this is the run’s first step in words.';

/**
 * A light render's "Start the player" button (named with the heading): hidden until the
 * element is defined, and drawn only while it has the focus. A keyboard user who tabs to a
 * player not built yet lands on it, the element builds the player and moves the focus to its
 * heading, so the next Tab goes on into the player's controls.
 */
function startButtonHtml(uid: string): string {
  const id = esc(uid);
  return `<button type="button" class="sim-btn sim-start" id="${id}-start" aria-labelledby="${id}-start ${id}-title" data-part="start" hidden>Start the player</button>`;
}

/**
 * The player for the first state of `opts.preset`: `<tag class="sim-host" …>` and everything
 * inside (or its light form). Throws `Error` naming the component and the known presets for
 * an unknown preset (failing the build), or the step where a preset's schedule stops
 * replaying, or a figure with neither a scene nor a custom view.
 */
export async function widgetHtml(def: AnyWidget, opts: WidgetHtmlOptions): Promise<string> {
  const { spec, player } = presetPlayer(def.component, opts.preset, def.presets, def.model, def.presetsFile);
  const states = player.states;
  const frame = def.frame ? def.frame(states) : undefined;
  const ctx = widgetCtx(opts.preset, spec.params, states, 0, frame, opts.uid);
  const mod = def.scenes ? await def.scenes() : { scenes: {} as Record<string, never> };
  const sceneFrame = mod.frame?.(states);
  const first = firstFigureOf(def, ctx);
  const scenes: Record<string, Scene> = {};
  for (const f of def.figures) {
    if (f.custom) continue;
    const make = mod.scenes[f.name];
    if (!make) throw new Error(`<${def.component}>: figure "${f.name}" has neither a scene nor a custom view`);
    scenes[f.name] = make(ctx, sceneFrame);
  }
  const boxes: Record<string, Box> = Object.fromEntries(Object.entries(scenes).map(([k, s]) => [k, { width: s.width, height: s.height }]));
  const noscript = opts.noscriptStyle === false ? '' : opts.light ? LIGHT_NOSCRIPT_STYLE : NOSCRIPT_STYLE;

  if (opts.light) {
    const firstBox = first ? boxes[first] : undefined;
    const reserve = firstBox ? ` style="--sim-pending-ar:${firstBox.width}/${firstBox.height}"` : '';
    const head = shellHeadHtml({ uid: opts.uid, title: spec.title, description: spec.description, headingLevel: opts.headingLevel, headerHtml: partsHtml(def, 'header', ctx) });
    const extra = ` data-build="pending"${Object.keys(boxes).length ? ` data-boxes="${esc(boxesAttr(boxes))}"` : ''}`;
    return (
      noscript +
      hostOpenHtml(def, ctx, player.length, extra) +
      `<section class="sim" aria-labelledby="${esc(opts.uid)}-title">${head}` +
      `<div class="sim-pending" data-part="pending"${reserve}>${startButtonHtml(opts.uid)}<div class="sim-caption"><p class="sim-stepno">Step 0 of ${player.length - 1}</p><p class="sim-narration">${esc(def.narration(states[0]))}</p></div>` +
      `<noscript><p class="sim-note">${esc(LIGHT_NOSCRIPT)}</p></noscript></div></section></${def.tag}>`
    );
  }

  // Only the drawing a reader sees first is drawn here; the other tabs' drawings (hidden)
  // keep their size and their words and are drawn when the scripts load.
  const extras: Record<string, FigureExtra> = Object.fromEntries(
    Object.entries(scenes).map(([k, s]) => [k, k === first && opts.draw !== false ? { desc: s.desc, svg: sceneToSvg(s) } : { desc: s.desc }]),
  );
  const body = widgetBodyHtml({ def, ctx, title: spec.title, description: spec.description, headingLevel: opts.headingLevel, steps: player.length, choices: player.enabled(), boxes, extras });
  return `${noscript}${hostOpenHtml(def, ctx, player.length)}${body}</${def.tag}>`;
}
