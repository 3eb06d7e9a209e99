/**
 * The lesson players in the Lab: a run output (display.ts `RunDisplay` with its `player` run)
 * is shown by the very player its lesson uses (`widgetHtml` + the widget's element, with all
 * its views, controls, scrubber, keyboard and share box), loaded per model on the first run
 * of that model the page shows (the definition, the element and the widget's CSS come in
 * one lazy chunk, so the Lab's first load stays small).
 *
 * A cell that runs again keeps its player: `mountPlayer` is given the player it showed and
 * calls its `load` with the new run, so the learner sees the same player change (at the
 * same step while the new run has it, else at its end).
 */
import type { AnyWidget } from '../player/definition.ts';
import { sameData } from '../player/definition.ts';
import type { WidgetRun } from '../player/widget-element.ts';
import { widgetHtml } from '../player/widget-html.ts';
import type { PlayerRun } from './display.ts';

/** What a mounted player offers (`WidgetElement`, `TtySimElement`). */
export interface LabPlayer extends HTMLElement {
  load(run: WidgetRun): string | null;
}

/** Each model's widget: its definition, with the element registered and the CSS loaded. */
const LOADERS: Record<string, () => Promise<AnyWidget>> = {
  tty: () => Promise.all([import('../widgets/tty/definition.ts'), import('../widgets/tty/element.ts'), import('../widgets/tty/tty.css'), import('../player/player.css')]).then(([m]) => m.ttyWidget),
  mm: () => Promise.all([import('../widgets/mm/definition.ts'), import('../widgets/mm/element.ts'), import('../widgets/mm/mm.css'), import('../player/player.css')]).then(([m]) => m.mmWidget),
  dma: () => Promise.all([import('../widgets/sg/definition.ts'), import('../widgets/sg/element.ts'), import('../widgets/sg/sg.css'), import('../player/player.css')]).then(([m]) => m.sgWidget),
  'dma-coherence': () => Promise.all([import('../widgets/coherence/definition.ts'), import('../widgets/coherence/element.ts'), import('../widgets/coherence/coherence.css'), import('../player/player.css')]).then(([m]) => m.coherenceWidget),
  uio: () => Promise.all([import('../widgets/uio/definition.ts'), import('../widgets/uio/element.ts'), import('../widgets/uio/uio.css'), import('../player/player.css')]).then(([m]) => m.uioWidget),
  daq: () => Promise.all([import('../widgets/daq/definition.ts'), import('../widgets/daq/element.ts'), import('../widgets/daq/daq.css'), import('../player/player.css')]).then(([m]) => m.daqWidget),
};

const loaded = new Map<string, Promise<AnyWidget>>();

/** The widget definition of model `id` (loaded once), or null when the model has no player. */
export function widgetOf(id: string): Promise<AnyWidget> | null {
  if (!Object.hasOwn(LOADERS, id)) return null;
  let p = loaded.get(id);
  if (!p) {
    p = LOADERS[id]();
    // A failed load (offline, a stale deployment) may be retried by the next run.
    p.catch(() => loaded.delete(id));
    loaded.set(id, p);
  }
  return p;
}

/**
 * The preset whose player shows `run`: the one it names when that preset has its parameters,
 * else any preset with its parameters, else the first (the player then says the run's
 * parameters are its own, and offers no preset link).
 */
export function presetFor(def: AnyWidget, run: PlayerRun): string {
  const keys = Object.keys(def.presets);
  if (run.preset && keys.includes(run.preset) && sameData(def.presets[run.preset].params, run.params)) return run.preset;
  return keys.find((k) => sameData(def.presets[k].params, run.params)) ?? keys[0];
}

let count = 0;

/** Options of `mountPlayer`. */
export interface MountOptions {
  /** The step to open a new player at. */
  at: number;
  /** Heading of the player. */
  title: string;
  /** Description under the heading, given the preset whose parameters the run has (null: none has them). */
  description: (preset: string | null) => string;
  headingLevel: 3 | 4;
  /** The player this output showed before the cell ran again (same name, same model), if any. */
  reuse?: LabPlayer | null;
  /** Open the new run at `at` even when the reused player's step is still valid (an answer, or a run naming its `step`). */
  always?: boolean;
}

/**
 * Shows `run` of model `model` in `slot`: in `opts.reuse` when given (moved into `slot`, then
 * `load`ed: same step while valid, else the end), else in a new player of the matching preset
 * opened at `opts.at`. Resolves to the player, or rejects with a sentence (no player for the
 * model, its code failed to load, the run does not replay there).
 */
export async function mountPlayer(slot: HTMLElement, model: string, run: PlayerRun, opts: MountOptions): Promise<LabPlayer> {
  const wanted = widgetOf(model);
  if (!wanted) throw new Error(`the ${model} model has no lesson player`);
  const def = await wanted;
  const preset = presetFor(def, run);
  const last = run.schedule.length;
  let el = opts.reuse && opts.reuse.localName === def.tag ? opts.reuse : null;
  let step = opts.at;
  if (el) {
    const was = Number(el.dataset.step);
    if (!opts.always) step = Number.isInteger(was) && was <= last ? was : last;
    el.dataset.preset = preset;
    if (el.parentElement !== slot) slot.replaceChildren(el);
  } else {
    const html = await widgetHtml(def, { preset, uid: `lab-player-${++count}`, headingLevel: opts.headingLevel, draw: false });
    const box = document.createElement('div');
    box.innerHTML = html;
    el = box.querySelector<LabPlayer>(def.tag);
    if (!el) throw new Error('the player could not be drawn');
    slot.replaceChildren(el);
  }
  const error = el.load({ params: run.params, schedule: run.schedule, seed: run.seed, step: Math.max(0, Math.min(last, step)), title: opts.title, description: opts.description(sameData(def.presets[preset].params, run.params) ? preset : null) });
  if (error) throw new Error(error);
  return el;
}
