/**
 * Helpers the widgets' unit tests share (`components/widgets/<name>/*.test.ts`): a preset's
 * run, the text of an HTML string, a scene's shape by key.
 */
import { replay, type Model } from '../../../sims/core/model.ts';
import type { TtyParams } from '../../../sims/tty/index.ts';
import type { Scene, Shape } from '../../../components/scene/scene.ts';
import { widgetCtx, type WidgetCtx, type WidgetDefinition } from '../../../components/player/definition.ts';

/** A preset as the models' `*_PRESETS` tables hold it: parameters and a schedule. */
interface RunnablePreset<P, C> {
  params: P;
  /** None: the run is the initial state only. */
  schedule?: readonly C[];
}

/**
 * `run(key)`: every state of preset `key`'s run (initial first), replayed with seed 1 as the
 * players replay it. An unknown key throws, naming it.
 */
export function presetRunner<P, S, C>(model: Model<P, S, C>, presets: Readonly<Record<string, RunnablePreset<P, C>>>): (key: string) => S[] {
  return (key) => {
    const p = presets[key];
    if (!p) throw new Error(`no preset "${key}"`);
    return replay(model, p.params, 1, p.schedule ?? []);
  };
}

/**
 * The context a definition's parts, figures and facts get at step `index` of preset `key`'s
 * run (replayed with seed 1; a negative `index` counts from the end: -1 is the last step),
 * with the definition's frame and uid `'x'`.
 */
export function presetCtx<P, S, C, F>(def: WidgetDefinition<P, S, C, F>, key: string, index = 0): WidgetCtx<P, S, F> {
  const p = def.presets[key];
  const states = presetRunner(def.model, def.presets)(key);
  const i = index < 0 ? states.length + index : index;
  if (i < 0 || i >= states.length) throw new RangeError(`preset "${key}" has no step ${index} (${states.length} states)`);
  return widgetCtx(key, p.params, states, i, def.frame ? def.frame(states) : (undefined as F), 'x');
}

/** The text of an HTML string: tags dropped (each as a space), the entities of `esc` undone, white space folded. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The shape of `scene` with key `key`, or undefined. */
export function shapeByKey(scene: Scene, key: string): Shape | undefined {
  return scene.shapes.find((s) => s.key === key);
}

/** The last item of a non-empty list. */
export function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1];
}

/**
 * Small tty parameters for unit tests: two blocking writers of `sizes` bytes (the second may
 * take a signal), an 8-byte xmit ring and pipe buffer, 4 pipe slots, 9600 baud, `drainBytes`
 * drained per UART step; `over` replaces any field. Shapes as `sims/tty/model.ts` TtyParams.
 */
export function smallTtyParams(sizes: readonly number[], over: Partial<TtyParams> = {}, signals: readonly boolean[] = []): TtyParams {
  return {
    variant: 'kernel',
    writers: sizes.map((size, i) => ({ size, nonblock: false, signal: signals[i] ?? false })),
    chunkSize: 4,
    xmitSize: 8,
    pipeBuf: 8,
    pipeSlots: 4,
    baud: 9600,
    drainBytes: 4,
    ...over,
  };
}

/**
 * The strings of `parts` that `html` does not contain, in order: `expect(lacks(html, [...])).toEqual([])`
 * names every missing one in a single failure.
 */
export function lacks(html: string, parts: readonly string[]): string[] {
  return parts.filter((p) => !html.includes(p));
}
