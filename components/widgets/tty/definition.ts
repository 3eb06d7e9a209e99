/**
 * The tty write-atomicity widget, described once (see components/player/definition.ts): a
 * player over `sims/tty` (`ttyModel`) for one preset of `TTY_PRESETS`, or for any
 * parameters with no schedule (`<TtySim params={…}>`, the Prove-it panel's player).
 *
 * It shows (a) a swimlane, one lane per writer and one for the UART (or the pipe's reader),
 * one column per step: who holds the lock, who sleeps, signals, write() returns and the
 * bytes sent (a custom d3 view, `views.ts`, over the DOM-free `swimlane-layout.ts`); (b) the
 * buffer: the `xmit` ring, or the pipe's pages (a scene, `layout.ts`); (c) the far end as a
 * terminal (xterm, loaded late by the element); (d) the verdict line under the narration:
 * interleaved or not, and each write(2)'s return value.
 *
 * Host facts: `data-verdict` (`running` | `atomic` | `interleaved`), `data-variant`
 * (`kernel` | `no-lock` | `pipe`), `data-writers` (the number of writers: the swimlane's
 * height is reserved from it before it is drawn). Event `tty-sim:step`, `detail.verdict`.
 */
import { endOfRunText, ttyModel, TTY_PRESETS, type TtyChoice, type TtyParams, type TtyState } from '../../../sims/tty/index.ts';
import type { WidgetCtx, WidgetDefinition } from '../../player/definition.ts';
import { esc } from '../../player/shell-html.ts';
import { bufferTitle, narrationOf, writerColor } from './format.ts';
import { bufferSvgTitle, paramsSummaryHtml, swimCaptionText, swimLegendHtml, swimTitleText, tablesHtml, terminalHtml, TTY_NO_SOURCE, verdictHtml } from './html.ts';
import { BUFFER_PHONE_MIN_W } from './layout.ts';
import { verdictOf } from './verdict.ts';

/** What every part, scene and fact of the tty widget is computed from. */
export type TtyCtx = WidgetCtx<TtyParams, TtyState, undefined>;

/** The verdict at the step shown (the run is finished when nothing can happen next). */
export function ctxVerdict(c: TtyCtx) {
  return verdictOf(c.state, ttyModel.enabled(c.state).length === 0);
}

export const ttyWidget: WidgetDefinition<TtyParams, TtyState, TtyChoice> = {
  tag: 'tty-sim',
  component: 'TtySim',
  model: ttyModel,
  presets: TTY_PRESETS,
  presetsFile: 'sims/tty/presets.ts',
  noun: 'tty simulation',
  narration: narrationOf,
  noSource: () => TTY_NO_SOURCE,
  // Says what is true where nothing can run: all done, or stuck, naming the blocked writers.
  noChoices: (s) => `<p class="sim-note">${esc(endOfRunText(s))}</p>`,
  schedPrompt: '<strong>Play the scheduler:</strong> choose what happens next. Can you make one writer’s bytes land inside another’s write?',
  // A writer's choices in its colour; the UART's or the reader's in the muted grey.
  choiceStyle: (_s, c) => ({ kind: c.kind, color: 'writer' in c ? writerColor(c.writer) : 'var(--sim-muted)' }),
  parts: [
    { name: 'params', place: 'header', tag: 'p', cls: 'ts-params', update: 'run', html: (c) => paramsSummaryHtml(c.states[0]) },
    // The element keeps the bytes current (the xterm must not be re-rendered): `run` only.
    {
      name: 'terminal',
      place: 'stage',
      cls: 'ts-term',
      attrs: { 'data-testid': 'serial-terminal', 'data-received': '', 'data-terminal': 'none' },
      update: 'run',
      html: (c) => terminalHtml(c.states[0]),
    },
    // The table view is filled when the element upgrades: at step 0 it says nothing the header
    // (the parameters) and the buffer's drawing and description (empty) do not.
    { name: 'ttytables', place: 'tables', cls: 'ts-tables', lazy: true, html: (c) => tablesHtml(c.state) },
    { name: 'verdict', place: 'caption', cls: 'ts-verdict', html: (c) => verdictHtml(c.state, ctxVerdict(c)) },
  ],
  figures: [
    {
      name: 'swimlane',
      tab: 'Swimlane',
      svgClass: 'ts-swim',
      caption: (c) => swimCaptionText(c.params.variant),
      title: (c) => swimTitleText(c.states[0]),
      legend: (c) => swimLegendHtml(c.params.variant),
      // Drawn by the swimlane view (its width follows the column's); its height is reserved by CSS.
      custom: () => '',
    },
    {
      name: 'buffer',
      tab: 'Buffer',
      svgClass: 'ts-buffer',
      phoneMinWidth: BUFFER_PHONE_MIN_W,
      caption: (c) => bufferTitle(c.params.variant),
      title: (c) => bufferSvgTitle(c.params.variant),
    },
  ],
  scenes: () => import('./scenes.ts').then((m) => m.ttyScenes),
  views: () => import('./views.ts').then((m) => m.createSwimlaneView),
  facts: (c) => ({ verdict: ctxVerdict(c).status, variant: c.params.variant, writers: String(c.params.writers.length) }),
  stepDetail: (c) => ({ verdict: ctxVerdict(c).status }),
};
