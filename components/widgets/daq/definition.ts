/**
 * The data-acquisition widget, described once (see components/player/definition.ts): a
 * player over `sims/daq` (`daqModel`) for one preset of `DAQ_PRESETS` (`design-a`,
 * `design-b`, `design-b-two-reads`, `design-c`, `design-c-overrun`).
 *
 * It shows, in two tabs, the lanes timeline (device with its FIFO gauge and overflow, DMA
 * engine, interrupt, kernel thread, process) over the window of the last activities, and the
 * buffers (the ring with each buffer's owner, the reads in flight, or the kmalloc buffer);
 * beside them the counters (MB/s delivered, bytes lost, copies per byte, system calls,
 * signals and interrupts per MiB, CPU busy); below the controls the steady-state formula
 * with its terms and a form to change the parameters and the cost table (the element,
 * `element.ts`). The table view holds the activities and buffers as tables.
 *
 * Host facts: `data-delivered` (bytes delivered), `data-lost` (bytes lost, rounded),
 * `data-overruns`, `data-design`. The parameter form and its helpers are in `fields.ts`
 * (re-exported here).
 */
import { DAQ_PRESETS, daqModel, type DaqChoice, type DaqParams, type DaqState, type Lane } from '../../../sims/daq/index.ts';
import { sceneFigures, type WidgetCtx, type WidgetDefinition } from '../../player/definition.ts';
import { narrationOf, noSourceText } from './format.ts';
import { buffersLegendHtml, countersHtml, formulaHtml, paramsFormHtml, tablesHtml, timelineLegendHtml } from './html.ts';
import { DAQ_PHONE_MIN_W } from './layout.ts';
import { seriesColor } from '../../scene/palette.ts';

export * from './fields.ts';

type Ctx = WidgetCtx<DaqParams, DaqState, undefined>;

/** The colour of a lane's scheduler button (the lane's colour in the timeline). */
const LANE_COLOR: Record<Lane, string> = {
  device: 'var(--sim-warn)',
  dma: 'var(--sim-ok)',
  irq: seriesColor(1),
  kthread: 'var(--sim-bad)',
  process: seriesColor(0),
};

/** What the buffers tab shows, by design. */
const BUFFERS: Record<DaqParams['design'], { caption: string }> = {
  A: { caption: 'The driver’s kmalloc buffer' },
  B: { caption: 'The reads the device holds descriptors for' },
  C: { caption: 'The ring: each buffer and its owner' },
};

export const daqWidget: WidgetDefinition<DaqParams, DaqState, DaqChoice> = {
  tag: 'daq-sim',
  component: 'DaqSim',
  model: daqModel,
  presets: DAQ_PRESETS,
  presetsFile: 'sims/daq/presets.ts',
  noun: 'data-acquisition simulation',
  narration: narrationOf,
  noSource: noSourceText,
  noChoices: () => '<p class="sim-note">The run has reached its device time. Change the parameters to run longer.</p>',
  schedPrompt: '<strong>Step the clock:</strong> the next activity to finish. (When two finish at the same instant, you choose which goes first.)',
  choiceStyle: (_s, c) => ({ kind: c.lane, color: LANE_COLOR[c.lane] }),
  parts: [
    { name: 'counters', place: 'stage', cls: 'daq-counters-box', html: (c: Ctx) => countersHtml(c.state) },
    { name: 'daqtables', place: 'tables', cls: 'daq-tables', lazy: true, html: (c: Ctx) => tablesHtml(c.state) },
    { name: 'formula', place: 'footer', update: 'run', html: (c: Ctx) => formulaHtml(c.state) },
    { name: 'paramsbox', place: 'footer', update: 'run', html: (c: Ctx) => paramsFormHtml(c.params) },
  ],
  figures: sceneFigures(
    { svgClass: 'daq-svg', phoneMinWidth: DAQ_PHONE_MIN_W },
    [
      {
        name: 'timeline',
        tab: 'Timeline',
        caption: () => 'Who is busy when: the last activities on each lane (the table view lists them all)',
        title: () => 'Timeline of the device, the DMA engine, the interrupt, the kernel thread and the process',
        legend: (c: Ctx) => timelineLegendHtml(c.params),
      },
      {
        name: 'buffers',
        tab: 'Buffers',
        caption: (c: Ctx) => BUFFERS[c.params.design].caption,
        title: (c: Ctx) => BUFFERS[c.params.design].caption,
        legend: (c: Ctx) => buffersLegendHtml(c.params),
      },
    ],
  ),
  scenes: () => import('./scenes.ts').then((m) => m.daqScenes),
  facts: (c: Ctx) => ({
    delivered: String(c.state.counters.delivered_bytes),
    lost: String(Math.round(c.state.counters.lost_bytes)),
    overruns: String(c.state.counters.overruns),
    design: c.params.design,
  }),
  stepDetail: (c: Ctx) => ({ delivered: c.state.counters.delivered_bytes, lost: Math.round(c.state.counters.lost_bytes) }),
  noscript: 'The player needs JavaScript; the drawings and counters show the starting state.',
  extraParts: ['params', 'params-reset', 'params-msg'],
};
