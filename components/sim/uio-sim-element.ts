/**
 * `<uio-sim>`: upgrades the server-rendered UIO / VFIO widget (`UioSim.astro`).
 *
 * The player shell (controls, scrubber, scheduler buttons, caption with kernel source, live
 * region, trace, table toggle, lazy loading) is `shell/sim-player-element.ts`; this file adds
 * the `sims/uio` model and its views. The table view and the status box under the caption
 * are the same HTML strings the server rendered (`uio-html.ts`); the d3 diagrams
 * (`views/uio-diagrams.ts`) load when the widget comes near the viewport or is first used and
 * adopt the server-rendered drawing in place.
 *
 * Attributes kept current (by the shell): `data-ready`, `data-step`, `data-steps`,
 * `data-playing`, `data-finished`, `data-view` (`diagrams` | `table`), `data-diagrams`
 * (`pending` | `loaded` | `failed`); and here `data-count` (the interrupt count, or empty
 * under VFIO), `data-stray` (frames hit by stray DMA so far) and `data-faults` (IOMMU faults).
 * Event: `uio-sim:step` (bubbles) with `detail: { index, steps, narration, count, stray, faults }`.
 */
import { uioModel } from '../../sims/uio/model.ts';
import { UIO_PRESETS } from '../../sims/uio/presets.ts';
import type { UioChoice, UioParams, UioState } from '../../sims/uio/types.ts';
import { PlayerCore } from '../player/player-core.ts';
import { choiceButtonHtml } from '../player/shell-html.ts';
import { SimPlayerElement } from '../player/sim-player-element.ts';
import { choiceColor, narrationOf, noSourceText, strayFrames } from './uio-format.ts';
import { statusHtml, tablesHtml } from './uio-html.ts';
import type { UioDiagrams } from './views/uio-diagrams.ts';

export class UioSimElement extends SimPlayerElement<UioParams, UioState, UioChoice> {
  protected readonly widgetName = 'uio-sim';
  protected readonly eventName = 'uio-sim:step';
  protected noChoicesHtml = '<p class="sim-note">Nothing can happen next: both processes have finished and the device is idle.</p>';
  private diagrams: UioDiagrams | null = null;

  protected createPlayer(): PlayerCore<UioParams, UioState, UioChoice> | string {
    const key = this.dataset.preset ?? '';
    const preset = UIO_PRESETS[key];
    if (!preset) return `Unknown simulation preset "${key}".`;
    try {
      return new PlayerCore({ model: uioModel, params: preset.params, seed: 1, schedule: preset.schedule });
    } catch (e) {
      return `This simulation could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected narrationOf(state: UioState): string {
    return narrationOf(state);
  }

  protected choiceHtml(state: UioState, choice: UioChoice, index: number): string {
    return choiceButtonHtml(uioModel.describeChoice(state, choice), index, { kind: choice.actor, color: choiceColor(choice) });
  }

  protected noSourceText(state: UioState): string {
    return noSourceText(state);
  }

  protected stepDetail(): Record<string, unknown> {
    const s = this.player.current;
    return { count: s.uio ? s.uio.event : null, stray: strayFrames(s).length, faults: s.iommu.faults.length };
  }

  protected renderState(state: UioState, animate: boolean, changed: boolean): void {
    const states = this.player.states;
    const index = this.player.index;
    this.dataset.count = state.uio ? String(state.uio.event) : '';
    this.dataset.stray = String(strayFrames(state).length);
    this.dataset.faults = String(state.iommu.faults.length);
    if (changed) {
      this.el('tables').innerHTML = tablesHtml(state, index > 0 ? states[index - 1] : null);
      this.el('status').innerHTML = statusHtml(state);
    }
    this.diagrams?.update(states, index, animate);
  }

  protected loadViews(): Promise<void> {
    return import('./views/uio-diagrams.ts').then(({ createUioDiagrams }) => {
      this.diagrams = createUioDiagrams({
        device: this.el<SVGSVGElement>('svg-device'),
        memory: this.el<SVGSVGElement>('svg-memory'),
      });
      this.diagrams.update(this.player.states, this.player.index, false);
    });
  }
}

if (!customElements.get('uio-sim')) customElements.define('uio-sim', UioSimElement);
