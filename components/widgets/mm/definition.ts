/**
 * The memory widget, described once (see components/player/definition.ts): a player over
 * `sims/mm` (`mmModel`) for one preset of `MM_PRESETS` (`sims/mm/presets.ts`: `translate`,
 * `demand-faults`, `first-touch`, `cow-after-fork`, `dma-without-pin`, `dma-with-pin`,
 * `partial-pin`, `gup-history`, `gup-fork`, `pin-fork`, `swap-out`).
 *
 * It shows, step by step, in two tabs: the translation of the step's address through the
 * four page-table levels (a form walks any other address of the process: the element,
 * `element.ts`), and physical memory (process pages -> frames, zones, contents, refcount and
 * pin badges, the DMA device's targets, lost writes, pages that moved). Both are d3 views
 * that follow the box's width (`views.ts`, loaded lazily: custom figures). Under them: the
 * pin check (`checkPins`) once it has something to say, and the driver's calls with their
 * return values. The table view (and a reader with no JavaScript) has the walk, the pages
 * and the frames as tables.
 *
 * Host facts: `data-lost` (`true` once a DMA write landed in a freed, foreign or zero
 * frame). The element adds `data-walk` (`step` | `typed`).
 */
import { MM_PRESETS, mmModel, type MmChoice, type MmParams, type MmState } from '../../../sims/mm/index.ts';
import type { WidgetCtx, WidgetDefinition } from '../../player/definition.ts';
import { dmaTargets, narrationOf, accessAt } from './format.ts';
import {
  choiceStyle,
  driverCallsHtml,
  MM_NO_CHOICES,
  MM_SCHED_PROMPT,
  noSourceText,
  paramsSummaryHtml,
  pinCheckHtml,
  stepWalkOrNull,
  tablesHtml,
  walkFormHtml,
} from './html.ts';

type Ctx = WidgetCtx<MmParams, MmState, undefined>;

/** True when a DMA write of `state` landed where the buffer no longer is (a freed, foreign or zero frame). */
export function lostWrite(state: MmState): boolean {
  return dmaTargets(state).some((t) => t.status === 'freed' || t.status === 'elsewhere' || t.status === 'zero-page');
}

/** The run is over in this state: nothing is enabled (as `PlayerCore.finished`). */
const finished = (c: Ctx): boolean => mmModel.enabled(c.state).length === 0;

/**
 * The presets whose point is the page-table walk: their players open on the translation
 * tab; the others (pins, DMA, fork, swap) open on physical memory.
 */
export const WALK_FIRST: ReadonlySet<string> = new Set(['translate', 'demand-faults', 'first-touch']);

/** Legend item: a swatch of class `cls` and its words. */
const key = (cls: string, words: string, inner = ''): string => `<li><span class="mm-sw ${cls}" aria-hidden="true">${inner}</span>${words}</li>`;

export const mmWidget: WidgetDefinition<MmParams, MmState, MmChoice> = {
  tag: 'mm-sim',
  component: 'MmSim',
  model: mmModel,
  presets: MM_PRESETS,
  presetsFile: 'sims/mm/presets.ts',
  noun: 'memory simulation',
  narration: narrationOf,
  noSource: noSourceText,
  noChoices: () => MM_NO_CHOICES,
  schedPrompt: MM_SCHED_PROMPT,
  choiceStyle: (_s, c) => choiceStyle(c),
  parts: [
    { name: 'params', place: 'header', tag: 'p', cls: 'mm-params', update: 'run', html: (c) => paramsSummaryHtml(c.states[0]) },
    // The address form: rendered once per run (the element keeps its field and message current).
    { name: 'walk', place: 'stage', cls: 'mm-walk', update: 'run', html: (c) => walkFormHtml(c.uid, accessAt(c.states, 0)) },
    { name: 'check', place: 'stage', cls: 'mm-checkline', html: (c) => pinCheckHtml(c.state, finished(c)) },
    { name: 'driver', place: 'stage', cls: 'mm-driver', html: (c) => driverCallsHtml(c.states, c.index) },
    { name: 'mmtables', place: 'tables', cls: 'mm-tables', html: (c) => tablesHtml(c.state, stepWalkOrNull(c.states, c.index)) },
  ],
  figures: [
    {
      name: 'walk',
      tab: 'Translation',
      svgClass: 'mm-walksvg',
      caption: () => 'Page-table walk: 9 bits a level, then a 12-bit offset',
      title: () => 'Four-level page-table walk of one virtual address',
      custom: () => '',
    },
    {
      name: 'memory',
      tab: 'Memory',
      svgClass: 'mm-memsvg',
      caption: () => 'Physical memory: each line is a PTE, page → frame',
      title: () => 'Process pages, their frames, zones, refcounts, pins and DMA targets',
      legend: (c) =>
        `<ul class="mm-legend">${key('mm-sw-buffer', 'user buffer')}${key('mm-sw-pin', 'pincount (refcount / 1024)', 'pin')}${
          c.params.driver.length > 0 ? key('mm-sw-dma', 'DMA target') + key('mm-sw-lost', 'lost write') : ''
        }${key('mm-sw-move', 'moved this step')}</ul>`,
      custom: () => '',
    },
  ],
  firstFigure: (c) => (WALK_FIRST.has(c.preset) ? 'walk' : 'memory'),
  views: () => import('./views.ts').then((m) => m.mmView),
  facts: (c) => ({ lost: String(lostWrite(c.state)) }),
  stepDetail: (c) => ({ lostWrites: lostWrite(c.state) }),
  noscript: 'The player needs JavaScript; the tables show the starting state.',
  extraParts: ['walkform', 'walkpid', 'walkinput', 'walkfollow', 'walkmsg'],
};
