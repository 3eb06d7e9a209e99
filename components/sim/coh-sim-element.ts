/**
 * `<coherence-sim>`: upgrades the server-rendered cache-coherence / buffer-ownership widget
 * (`CoherenceSim.astro`).
 *
 * The player shell (controls, scrubber, "play the scheduler" buttons, caption and live region,
 * trace, table toggle, lazy loading) is `shell/sim-player-element.ts`; this file adds the
 * `sims/dma` coherence model and its views. The text views (the driver's program with the
 * checker's findings under the call that caused them, the verdict, the table view) are the
 * same HTML strings the server rendered (`coh-html.ts`); the d3 diagrams
 * (`views/coh-diagrams.ts`: RAM and cache, ownership tokens, transfers and reads) load when the
 * widget comes near the viewport or is first used and adopt the server-rendered drawing.
 *
 * The scheduler buttons are the model's choices: the CPU's next call, the device's next line,
 * and, on platforms that allow them, evicting a cache line or a speculative fill by hand.
 *
 * Attributes kept current (by the shell): `data-ready`, `data-step`, `data-steps`,
 * `data-playing`, `data-finished`, `data-view`, `data-diagrams`; and here `data-findings`
 * (checker findings so far) and `data-verdict` (`pending` | `right` | `stale` | `old-sent` |
 * `both`). Event: `coherence-sim:step` (bubbles) with
 * `detail: { index, steps, narration, findings, verdict }`.
 */
import { coherenceModel } from '../../sims/dma/coherence.ts';
import { COHERENCE_PRESETS } from '../../sims/dma/coherence-presets.ts';
import type { CohChoice, CoherenceParams, CoherenceState } from '../../sims/dma/coherence-types.ts';
import { dataVerdict, narrationOf, noSourceText } from './coh-format.ts';
import { choiceHtmlFor, programHtml, tablesHtml, verdictHtml } from './coh-html.ts';
import { PlayerCore } from '../player/player-core.ts';
import { SimPlayerElement } from '../player/sim-player-element.ts';
import type { CohDiagrams } from './views/coh-diagrams.ts';

export class CoherenceSimElement extends SimPlayerElement<CoherenceParams, CoherenceState, CohChoice> {
  protected readonly widgetName = 'coherence-sim';
  protected readonly eventName = 'coherence-sim:step';
  protected noChoicesHtml = '<p class="sim-note">Nothing can happen next: the driver is unbound and the device is idle.</p>';
  private diagrams: CohDiagrams | null = null;

  /** The preset shown (a key of `COHERENCE_PRESETS`). */
  get preset(): string {
    return this.dataset.preset ?? '';
  }

  protected createPlayer(): PlayerCore<CoherenceParams, CoherenceState, CohChoice> | string {
    const spec = Object.hasOwn(COHERENCE_PRESETS, this.preset) ? COHERENCE_PRESETS[this.preset] : undefined;
    if (!spec) return `Unknown coherence simulation preset "${this.preset}".`;
    try {
      return new PlayerCore({ model: coherenceModel, params: spec.params, seed: 1, schedule: spec.schedule });
    } catch (e) {
      return `This simulation's preset does not replay: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected narrationOf(state: CoherenceState): string {
    return narrationOf(state);
  }

  protected noSourceText(state: CoherenceState): string {
    return noSourceText(state);
  }

  protected choiceHtml(state: CoherenceState, choice: CohChoice, index: number): string {
    return choiceHtmlFor(coherenceModel.describeChoice(state, choice), choice, index);
  }

  protected stepDetail(): Record<string, unknown> {
    const s = this.player.current;
    return { findings: s.findings.length, verdict: dataVerdict(s).kind };
  }

  protected renderState(state: CoherenceState, animate: boolean, changed: boolean): void {
    this.dataset.findings = String(state.findings.length);
    this.dataset.verdict = dataVerdict(state).kind;
    const finished = this.player.finished;
    const verdict = verdictHtml(state, finished);
    const box = this.el('verdict');
    if (box.dataset.html !== verdict) {
      box.innerHTML = verdict;
      box.dataset.html = verdict;
    }
    if (changed) {
      this.el('program').innerHTML = programHtml(state);
      this.el('tables').innerHTML = tablesHtml(state);
    }
    this.diagrams?.update(this.player.states, this.player.index, animate);
  }

  protected loadViews(): Promise<void> {
    return import('./views/coh-diagrams.ts').then(({ createCohDiagrams }) => {
      this.diagrams = createCohDiagrams({
        memory: this.el<SVGSVGElement>('svg-memory'),
        owner: this.el<SVGSVGElement>('svg-owner'),
        data: this.el<SVGSVGElement>('svg-data'),
      });
      this.diagrams.update(this.player.states, this.player.index, false);
    });
  }
}

if (!customElements.get('coherence-sim')) customElements.define('coherence-sim', CoherenceSimElement);
