/**
 * The server render of a tty player with no preset: any parameters, a title and a
 * description, no schedule (`<TtySim params={…} title="…">`, the Prove-it panel's player).
 * It is the generic `widgetHtml` of `ttyWidget` over a one-run preset list; the host then
 * carries `data-params` (the parameters as JSON, read by the element) instead of
 * `data-preset`, so share links never take it for a preset's player.
 */
import { validateParams, type TtyParams } from '../../../sims/tty/index.ts';
import { esc } from '../../player/shell-html.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { ttyWidget } from './definition.ts';

/** What `<TtySim params>` takes. */
export interface TtyRunOptions {
  params: TtyParams;
  title: string;
  description: string;
  uid: string;
  headingLevel?: 2 | 3 | 4 | 5;
  /** The light render (`widgetHtml`'s `light`): the element builds the rest when it is needed. */
  light?: boolean;
}

/** The key the one-run preset list uses while rendering (never on the page). */
const RUN_KEY = 'run';

/**
 * The `<tty-sim>` for `o.params` at its initial state (whole, or light with `o.light`). Throws `Error` naming
 * `<TtySim params>` and the model's complaint for invalid parameters (failing the build).
 */
export async function ttyRunHtml(o: TtyRunOptions): Promise<string> {
  try {
    validateParams(o.params);
  } catch (err) {
    throw new Error(`<TtySim params>: ${(err as Error).message}`);
  }
  const def = { ...ttyWidget, presets: { [RUN_KEY]: { title: o.title, description: o.description, params: o.params } } };
  const html = await widgetHtml(def, { preset: RUN_KEY, uid: o.uid, headingLevel: o.headingLevel, light: o.light, noscriptStyle: !o.light });
  const attr = ` data-preset="${RUN_KEY}"`;
  const at = html.indexOf(attr);
  if (at < 0) throw new Error('<TtySim params>: the widget markup has no data-preset attribute to replace');
  return `${html.slice(0, at)} data-params="${esc(JSON.stringify(o.params))}"${html.slice(at + attr.length)}`;
}
