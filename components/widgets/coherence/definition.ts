/**
 * The cache-coherence / buffer-ownership widget, described once (see
 * components/player/definition.ts): a player over the coherence model of `sims/dma`
 * (`coherenceModel`) for one preset of `COHERENCE_PRESETS` (`rx-no-sync-arm`,
 * `tx-no-clean-arm`, `works-on-x86`, `fails-with-swiotlb`, `rx-correct`, `tx-correct`,
 * `coherent-alloc`, `debug-checker`, `arm926-no-sync`, `shared-cacheline`).
 *
 * It shows the platform (coherent x86, non-coherent arm64, ARM926, x86 with swiotlb) and
 * (a) RAM as a column of lines of bytes, with the CPU cache slot of each line under it (valid /
 * dirty badge, its bytes, bytes that differ from RAM marked), the swiotlb bounce slots and
 * uncached coherent lines labelled, each live mapping's bytes underlined in its owner's colour;
 * (b) the driver's program as a list of calls, the current one highlighted, each checker
 * finding (rule and message) under the call that caused it; (c) each mapping's ownership token
 * at the CPU or at the device (both, for a coherent buffer), sliding with map / sync / unmap;
 * (d) the device's transfers and what the CPU read, each against what a machine without
 * caches would give, with a "stale data" / "old bytes sent" verdict under the narration.
 *
 * The scheduler's buttons are the model's choices: the CPU's next call, the device's next
 * line, and, on platforms that allow them, evicting a cache line or a speculative fill by hand.
 *
 * Host facts: `data-platform` (`x86` | `arm64` | `arm926` | `swiotlb`), `data-findings`
 * (checker findings so far), `data-verdict` (`pending` | `right` | `stale` | `old-sent` |
 * `both`). Event: `coherence-sim:step` with `detail: { index, steps, narration, findings, verdict }`.
 */
import { COHERENCE_PRESETS, coherenceModel, type CohChoice, type CoherenceParams, type CoherenceState } from '../../../sims/dma/index.ts';
import { phoneMinWidth } from '../../scene/scene.ts';
import { sceneFigures, type WidgetCtx, type WidgetDefinition } from '../../player/definition.ts';
import { esc } from '../../player/shell-html.ts';
import { choiceStyle, dataVerdict, narrationOf, noSourceText, platformInfo } from './format.ts';
import { COH_SCHED_PROMPT, platformHtml, programHtml, tablesHtml, verdictHtml } from './html.ts';

type Ctx = WidgetCtx<CoherenceParams, CoherenceState, undefined>;

/** Legend item: a swatch of class `cls` and its words. */
const key = (cls: string, words: string): string => `<li><span class="coh-key ${cls}" aria-hidden="true"></span>${words}</li>`;

/** The heading over the program (a group named by it). */
const PROGRAM_TITLE = 'The driver’s calls, and what the checker says about each';

export const coherenceWidget: WidgetDefinition<CoherenceParams, CoherenceState, CohChoice> = {
  tag: 'coherence-sim',
  component: 'CoherenceSim',
  model: coherenceModel,
  presets: COHERENCE_PRESETS,
  presetsFile: 'sims/dma/coherence-presets.ts',
  noun: 'cache-coherence simulation',
  narration: narrationOf,
  noSource: noSourceText,
  noChoices: () => '<p class="sim-note">Nothing can happen next: the driver is unbound and the device is idle.</p>',
  schedPrompt: COH_SCHED_PROMPT,
  choiceStyle: (_s, c) => choiceStyle(c),
  noscript: 'The player needs JavaScript; the drawings and the program show the starting state (the table view needs JavaScript too).',
  parts: [
    { name: 'platform', place: 'header', tag: 'p', cls: 'coh-platform', update: 'run', html: (c) => platformHtml(c.states[0]) },
    {
      name: 'program',
      place: 'stage',
      cls: 'coh-progbox',
      html: (c) =>
        `<div role="group" aria-labelledby="${esc(c.uid)}-prog-title"><p class="coh-subhead" id="${esc(c.uid)}-prog-title">${esc(PROGRAM_TITLE)}</p>${programHtml(c.state)}</div>`,
    },
    { name: 'cohtables', place: 'tables', cls: 'coh-tables', lazy: true, html: (c) => tablesHtml(c.state) },
    { name: 'verdict', place: 'caption', cls: 'coh-verdictbox', html: (c) => verdictHtml(c.state, finished(c)) },
  ],
  figures: sceneFigures(
    // Every scene's smallest text is 8.5 units.
    { svgClass: 'coh-svg', phoneMinWidth: phoneMinWidth(8.5) },
    [
      {
        name: 'memory',
        tab: 'RAM & cache',
        caption: () => 'RAM and the CPU cache',
        title: (c) => `RAM line by line, with the CPU cache slot of each line under it (${platformInfo(c.params).name})`,
        legend: () =>
          `<ul class="coh-legend">${key('coh-key-dirty', 'dirty: newer than RAM')}${key('coh-key-differs', 'cached byte differs from RAM')}${key('coh-key-new', 'changed by this step')}${key('coh-key-cpu', 'owned by the CPU')}${key('coh-key-dev', 'owned by the device')}</ul>`,
      },
      {
        name: 'owner',
        tab: 'Ownership',
        caption: () => 'Who owns the buffer: map and dma_sync_*_for_device hand it to the device; dma_sync_*_for_cpu and unmap hand it back',
        title: () => 'Who owns each DMA mapping: the ownership token at the CPU or at the device',
      },
      {
        name: 'data',
        tab: 'Transfers',
        caption: () => 'The device’s transfers and the CPU’s reads',
        title: () => 'What the device moved and what the CPU read, against a machine without caches',
      },
    ],
  ),
  scenes: () => import('./scenes.ts').then((m) => m.cohScenes),
  facts: (c) => ({ platform: platformInfo(c.params).key, findings: String(c.state.findings.length), verdict: dataVerdict(c.state).kind }),
  stepDetail: (c) => ({ findings: c.state.findings.length, verdict: dataVerdict(c.state).kind }),
};

/** The run is over at this step: nothing can happen next (the verdict says "Right data"). */
function finished(c: Ctx): boolean {
  return coherenceModel.enabled(c.state).length === 0;
}
