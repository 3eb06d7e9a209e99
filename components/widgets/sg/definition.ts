/**
 * The scatter-gather / IOMMU widget, described once (see components/player/definition.ts):
 * a player over `sims/dma` (`dmaModel`) for one preset of `DMA_PRESETS` (`sg-build`,
 * `map-direct`, `map-iommu`, `max-segment`, `unmap-bug`, `chunked-transfer`).
 *
 * It shows (a) the user buffer's pages over the physical frames they sit in, the
 * scatterlist's entries over those frames, and the scatterlist as a table (`page`, `offset`,
 * `length`; after mapping `sg_dma_address`, `sg_dma_len`; `orig_nents`, `nents` and the
 * mapped count; entries past the mapped count greyed); (b) the IOMMU: IOVA granules on one
 * side, frames on the other, one line per translation, DMA segments growing as
 * `__finalise_sg` merges (or, with no IOMMU, bus address = physical address); (c) the
 * device's descriptor list and the driver's chunk loop. dma-debug reports appear as
 * warnings under the narration of the step that raised them.
 *
 * Host facts: `data-iommu` (`on` | `off`), `data-reports` (dma-debug reports so far).
 */
import { DMA_PRESETS, dmaModel, type DmaChoice, type DmaParams, type DmaState } from '../../../sims/dma/index.ts';
import { phoneMinWidth } from '../../scene/scene.ts';
import { sceneFigures, type WidgetCtx, type WidgetDefinition } from '../../player/definition.ts';
import { narrationOf, reportSteps } from './format.ts';
import { countsHtml, noSourceText, paramsSummaryHtml, reportsHtml, SG_SCHED_PROMPT, sgTableHtml, tablesHtml } from './html.ts';

/** Per timeline: the step of each dma-debug report (for the table view and the scrubber's ticks). */
export interface SgRunFacts {
  reportSteps: number[];
}

type Ctx = WidgetCtx<DmaParams, DmaState, SgRunFacts>;

const iommuOn = (c: Ctx): boolean => c.params.iommu.enabled;

/** Legend item: a swatch of class `cls` and its words. */
const key = (cls: string, words: string): string => `<li><span class="sg-key ${cls}" aria-hidden="true"></span>${words}</li>`;

export const sgWidget: WidgetDefinition<DmaParams, DmaState, DmaChoice, SgRunFacts> = {
  tag: 'sg-sim',
  component: 'SgSim',
  model: dmaModel,
  presets: DMA_PRESETS,
  presetsFile: 'sims/dma/presets.ts',
  noun: 'scatter-gather simulation',
  narration: narrationOf,
  noSource: noSourceText,
  noChoices: () => '<p class="sim-note">Nothing happens next: the ioctl has returned.</p>',
  schedPrompt: SG_SCHED_PROMPT,
  choiceStyle: (_s, c) => ({ kind: c.kind, color: c.kind === 'device' ? 'var(--sim-warn)' : 'var(--sim-accent)' }),
  frame: (states) => ({ reportSteps: reportSteps(states) }),
  parts: [
    { name: 'params', place: 'header', tag: 'p', cls: 'sg-params', update: 'run', html: (c) => paramsSummaryHtml(c.states[0]) },
    { name: 'counts', place: 'stage', cls: 'sg-counts-box', html: (c) => countsHtml(c.state) },
    { name: 'sgtable', place: 'stage', cls: 'sg-sgtable', html: (c) => sgTableHtml(c.state) },
    { name: 'sgtables', place: 'tables', cls: 'sg-tables', html: (c) => tablesHtml(c.state, c.frame.reportSteps) },
    { name: 'reports', place: 'caption', cls: 'sg-reports', attrs: { 'aria-live': 'polite' }, html: (c) => reportsHtml(c.states, c.index) },
  ],
  figures: sceneFigures(
    // Every scene's smallest text is 9 units.
    { svgClass: 'sg-svg', phoneMinWidth: phoneMinWidth(9) },
    [
      {
        name: 'pages',
        tab: 'Pages',
        caption: () => 'Pages → frames, and the scatterlist over them',
        title: () => 'The user buffer’s pages, the physical frames they are pinned in, and the scatterlist entries over those frames',
        legend: (c) =>
          `<ul class="sg-legend">${key('sg-key-entry', 'bytes of an sg entry')}${key('sg-key-dev', 'owned by the device')}${key('sg-key-written', `${c.params.dir === 'DMA_TO_DEVICE' ? 'read' : 'written'} by the device`)}${
            c.states.some((s) => s.reports.some((r) => r.kind === 'unmap-count' && r.unsyncedPfns.length > 0)) ? key('sg-key-stale', 'never handed back to the CPU') : ''
          }</ul>`,
      },
      {
        name: 'iommu',
        tab: 'IOMMU',
        caption: (c) => (iommuOn(c) ? 'The IOMMU: IOVA → physical, and DMA segments' : 'No IOMMU: bus address = physical address'),
        title: (c) => (iommuOn(c) ? 'IOMMU: IOVA granules (left) translated to physical frames (right), with the DMA segments' : 'No IOMMU: each entry’s bus address (left) is its physical address (right)'),
        legend: (c) => (iommuOn(c) ? `<ul class="sg-legend">${key('sg-key-seg', 'DMA segment (sg_dma_address, sg_dma_len)')}${key('sg-key-granule', 'granule mapped for an entry')}</ul>` : ''),
      },
      {
        name: 'device',
        tab: 'Device',
        caption: () => 'The driver’s loop and the device’s descriptors',
        title: () => 'The driver’s loop over the buffer and the device’s descriptor list',
      },
    ],
  ),
  scenes: () => import('./scenes.ts').then((m) => m.sgScenes),
  facts: (c) => ({ iommu: iommuOn(c) ? 'on' : 'off', reports: String(c.state.reports.length) }),
  stepDetail: (c) => ({ reports: c.state.reports.length }),
};
