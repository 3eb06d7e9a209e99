/**
 * `<sg-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `sgWidget`, plus what only this widget does:
 * - the scrubber's track marks the steps that raised a dma-debug report;
 * - "step 26" buttons in the report reminders jump to that step;
 * - hovering or focusing a scatterlist row highlights that entry's pages, frames, IOVA
 *   granules and translations in the diagrams (and hovering a drawn entry its row).
 * Event: `sg-sim:step` with `detail: { index, steps, narration, reports }`.
 */
import type { On } from '../../player/sim-player-element.ts';
import { defineWidget, WidgetElement } from '../../player/widget-element.ts';
import { reportSteps } from './format.ts';
import { sgWidget } from './definition.ts';

export class SgSimElement extends WidgetElement {
  protected renderState(state: unknown, animate: boolean, changed: boolean): void {
    super.renderState(state, animate, changed);
    if (changed) this.highlight(null);
    this.renderTicks();
  }

  /** Marks the steps that raised a dma-debug report on the scrubber's track. */
  private renderTicks(): void {
    const track = this.el('track');
    const max = this.player.length - 1;
    const want = reportSteps(this.player.states as never)
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

  /** Highlights sg entry `entry` in the diagrams and its table row (null: none). */
  private highlight(entry: number | null): void {
    const on = entry !== null;
    this.querySelectorAll<SVGSVGElement>('svg.sg-svg').forEach((svg) => svg.classList.toggle('sg-hl-on', on));
    this.querySelectorAll('.sg-hl').forEach((n) => n.classList.remove('sg-hl'));
    if (on) this.querySelectorAll(`[data-entry="${entry}"]`).forEach((n) => n.classList.add('sg-hl'));
  }

  protected wireExtra(on: On): void {
    super.wireExtra(on);
    on(this.el('reports'), 'click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-seek]');
      if (!btn) return;
      this.seek(Number(btn.dataset.seek));
      // The button is re-rendered away: keep focus on the scrubber, whose value text is the narration.
      this.el('slider').focus();
    });
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

defineWidget(sgWidget, SgSimElement);
