/**
 * `<sg-sim>`: upgrades the server-rendered scatter-gather / IOMMU widget (`SgSim.astro`).
 *
 * The player shell (controls, scrubber, "what happens next" button, caption, trace, table
 * toggle, lazy loading) is `shell/sim-player-element.ts`; this file adds the `sims/dma` model
 * and its views. The text views (the scatterlist table with `nents` / `orig_nents`, the table
 * view, the dma-debug warnings) are the same HTML strings the server rendered (`sg-html.ts`);
 * the d3 diagrams (`views/sg-diagrams.ts`) load when the widget comes near the viewport or is
 * first used, and adopt the server-rendered initial drawing in place.
 *
 * Attributes kept current (by the shell): `data-ready`, `data-step`, `data-steps`,
 * `data-playing`, `data-finished`, `data-view` (`diagrams` | `table`), `data-diagrams`
 * (`pending` | `loaded` | `failed`); and here `data-reports` (dma-debug reports so far).
 * Event: `sg-sim:step` (bubbles) with `detail: { index, steps, narration, reports }`.
 *
 * Hovering or focusing a scatterlist row highlights that entry's pages, frames, IOVA
 * granules and translations in the diagrams (and hovering a drawn entry highlights its row).
 */
import { dmaModel } from '../../sims/dma/model.ts';
import { DMA_PRESETS } from '../../sims/dma/presets.ts';
import type { DmaChoice, DmaParams, DmaState } from '../../sims/dma/types.ts';
import { PlayerCore } from '../player/player-core.ts';
import { narrationOf, reportSteps } from './sg-format.ts';
import { countsHtml, noSourceText, reportsHtml, sgTableHtml, tablesHtml } from './sg-html.ts';
import { choiceButtonHtml } from '../player/shell-html.ts';
import { SimPlayerElement } from '../player/sim-player-element.ts';
import type { SgDiagrams } from './views/sg-diagrams.ts';

export class SgSimElement extends SimPlayerElement<DmaParams, DmaState, DmaChoice> {
  protected readonly widgetName = 'sg-sim';
  protected readonly eventName = 'sg-sim:step';
  protected noChoicesHtml = '<p class="sim-note">Nothing happens next: the ioctl has returned.</p>';
  private diagrams: SgDiagrams | null = null;
  /** `reportSteps` of the timeline, and the timeline it was computed for. */
  private reportIdx: { last: DmaState | null; steps: number[] } = { last: null, steps: [] };

  protected createPlayer(): PlayerCore<DmaParams, DmaState, DmaChoice> | string {
    const key = this.dataset.preset ?? '';
    const preset = DMA_PRESETS[key];
    if (!preset) return `Unknown simulation preset "${key}".`;
    try {
      return new PlayerCore({ model: dmaModel, params: preset.params, seed: 1, schedule: preset.schedule });
    } catch (e) {
      return `This simulation could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected narrationOf(state: DmaState): string {
    return narrationOf(state);
  }

  protected choiceHtml(state: DmaState, choice: DmaChoice, index: number): string {
    return choiceButtonHtml(dmaModel.describeChoice(state, choice), index, {
      kind: choice.kind,
      color: choice.kind === 'device' ? 'var(--sim-warn)' : 'var(--sim-accent)',
    });
  }

  protected noSourceText(state: DmaState): string {
    return noSourceText(state);
  }

  protected stepDetail(): Record<string, unknown> {
    return { reports: this.player.current.reports.length };
  }

  /** The step of each dma-debug report in the timeline (cached per timeline). */
  private reportStepIdx(): number[] {
    const states = this.player.states;
    const last = states[states.length - 1];
    if (this.reportIdx.last !== last) this.reportIdx = { last, steps: reportSteps(states) };
    return this.reportIdx.steps;
  }

  protected renderState(state: DmaState, animate: boolean, changed: boolean): void {
    const states = this.player.states;
    const index = this.player.index;
    this.dataset.reports = String(state.reports.length);
    if (changed) {
      this.el('counts').innerHTML = countsHtml(state);
      this.el('sgtable').innerHTML = sgTableHtml(state);
      this.el('tables').innerHTML = tablesHtml(state, this.reportStepIdx());
      this.el('reports').innerHTML = reportsHtml(states, index);
      this.highlight(null);
    }
    this.renderTicks();
    this.diagrams?.update(states, index, animate);
  }

  /** Marks the steps that raised a dma-debug report on the scrubber's track. */
  private renderTicks(): void {
    const track = this.el('track');
    const max = this.player.length - 1;
    const want = this.reportStepIdx()
      .map((s) => (max > 0 ? s / max : 0))
      .join(',');
    if (track.dataset.sgTicks === want) return;
    track.querySelectorAll('.sg-tick').forEach((t) => t.remove());
    for (const f of want ? want.split(',') : []) {
      const tick = document.createElement('span');
      tick.className = 'sg-tick';
      tick.setAttribute('aria-hidden', 'true');
      tick.style.setProperty('--at', f);
      track.append(tick);
    }
    track.dataset.sgTicks = want;
  }

  protected loadViews(): Promise<void> {
    return import('./views/sg-diagrams.ts').then(({ createSgDiagrams }) => {
      this.diagrams = createSgDiagrams({
        pages: this.el<SVGSVGElement>('svg-pages'),
        iommu: this.el<SVGSVGElement>('svg-iommu'),
        device: this.el<SVGSVGElement>('svg-device'),
      });
      this.diagrams.update(this.player.states, this.player.index, false);
    });
  }

  /** Highlights sg entry `entry` in the diagrams and its table row (null: none). */
  private highlight(entry: number | null): void {
    const on = entry !== null;
    this.querySelectorAll<SVGSVGElement>('svg.sg-svg').forEach((svg) => svg.classList.toggle('sg-hl-on', on));
    this.querySelectorAll('.sg-hl').forEach((n) => n.classList.remove('sg-hl'));
    if (on) this.querySelectorAll(`[data-entry="${entry}"]`).forEach((n) => n.classList.add('sg-hl'));
  }

  protected wireExtra(on: <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) => void): void {
    // "step 26" buttons in the dma-debug reminders jump to the step that raised the report.
    on(this.el('reports'), 'click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-seek]');
      if (!btn) return;
      this.seek(Number(btn.dataset.seek));
      // The button is re-rendered away: keep focus in the player, on the scrubber, whose
      // value text is the narration of the step jumped to.
      this.el('slider').focus();
    });
    // Link the scatterlist table and the drawings of the same entry.
    const entryOf = (t: EventTarget | null): number | null => {
      const n = t instanceof Element ? t.closest('[data-entry]') : null;
      return n ? Number(n.getAttribute('data-entry')) : null;
    };
    const views = this.el('views');
    on(views, 'pointerover', (e) => this.highlight(entryOf(e.target)));
    on(views, 'pointerleave', () => this.highlight(null));
    on(views, 'focusin', (e) => this.highlight(entryOf(e.target)));
    on(views, 'focusout', () => this.highlight(null));
  }
}

if (!customElements.get('sg-sim')) customElements.define('sg-sim', SgSimElement);
