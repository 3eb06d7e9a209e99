/**
 * `<daq-sim>`: upgrades the server-rendered data-acquisition widget (`DaqSim.astro`) on the
 * shared player shell. Each render swaps in the timeline, buffers, counters and table HTML
 * from the same DOM-free functions the server used (no d3: the drawings are small SVG
 * strings). The parameter form builds new parameters through `paramsFromForm` (the model
 * checks them); a bad value shows a message and leaves the run as it was.
 *
 * Host attributes kept current (besides the shell's): `data-delivered` (bytes delivered),
 * `data-lost` (bytes lost, rounded), `data-overruns`, `data-design`.
 * Event: `daq-sim:step` with `detail: { index, steps, narration, delivered, lost }`.
 */
import { daqModel, type DaqChoice, type DaqParams, type DaqState } from '../../../sims/daq/model.ts';
import { PlayerCore } from '../../player/player-core.ts';
import { choiceButtonHtml } from '../../player/shell-html.ts';
import { SimPlayerElement } from '../../player/sim-player-element.ts';
import { DAQ_PRESETS, FIELDS, paramsFromForm } from './definition.ts';
import { narrationOf, noSourceText } from './format.ts';
import { countersHtml, formulaHtml, tablesHtml } from './html.ts';
import { buffersDesc, buffersSvg, timelineDesc, timelineSvg } from './layout.ts';

export class DaqSimElement extends SimPlayerElement<DaqParams, DaqState, DaqChoice> {
  protected readonly widgetName = 'daq-sim';
  protected readonly eventName = 'daq-sim:step';
  protected noChoicesHtml = '<p class="sim-note">The run has reached its device time. Change the parameters to run longer.</p>';

  private presetParams(): DaqParams | null {
    const key = this.dataset.preset ?? '';
    return Object.hasOwn(DAQ_PRESETS, key) ? DAQ_PRESETS[key].params : null;
  }

  protected createPlayer(): PlayerCore<DaqParams, DaqState, DaqChoice> | string {
    const p = this.presetParams();
    if (!p) return `Unknown simulation preset "${this.dataset.preset ?? ''}".`;
    try {
      return new PlayerCore({ model: daqModel, params: p, seed: 1 });
    } catch (e) {
      return `This simulation could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected narrationOf(state: DaqState): string {
    return narrationOf(state);
  }

  protected choiceHtml(state: DaqState, choice: DaqChoice, index: number): string {
    return choiceButtonHtml(daqModel.describeChoice(state, choice), index, { kind: choice.lane });
  }

  protected noSourceText(state: DaqState): string {
    return noSourceText(state);
  }

  protected stepDetail(): Record<string, unknown> {
    const c = this.player.current.counters;
    return { delivered: c.delivered_bytes, lost: Math.round(c.lost_bytes) };
  }

  protected wireExtra(on: <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) => void): void {
    const form = this.el<HTMLFormElement>('params');
    const msg = this.el('params-msg');
    on(form, 'submit', (e) => {
      e.preventDefault();
      const values: Record<string, string> = {};
      for (const f of FIELDS) {
        const input = form.elements.namedItem(f.name);
        if (input instanceof HTMLInputElement) values[f.name] = input.value;
      }
      const next = paramsFromForm(this.player.params, values);
      if (typeof next === 'string') {
        msg.textContent = next;
        msg.classList.add('daq-error');
        return;
      }
      msg.classList.remove('daq-error');
      this.replacePlayer(new PlayerCore({ model: daqModel, params: next, seed: 1 }));
      msg.textContent = 'Running with your parameters: step or play.';
    });
    on(this.el('params-reset'), 'click', () => {
      const p = this.presetParams();
      if (!p) return;
      for (const f of FIELDS) {
        const input = form.elements.namedItem(f.name);
        if (input instanceof HTMLInputElement) input.value = String(Math.round(((f.where === 'param' ? (p as unknown as Record<string, number>)[f.key] : (p.costs as unknown as Record<string, number>)[f.key]) / f.scale) * 1000) / 1000);
      }
      msg.classList.remove('daq-error');
      msg.textContent = 'Back to the preset.';
      this.replacePlayer(new PlayerCore({ model: daqModel, params: p, seed: 1 }));
    });
  }

  protected renderState(state: DaqState, _animate: boolean, changed: boolean): void {
    this.dataset.delivered = String(state.counters.delivered_bytes);
    this.dataset.lost = String(Math.round(state.counters.lost_bytes));
    this.dataset.overruns = String(state.counters.overruns);
    this.dataset.design = state.params.design;
    if (!changed) return;
    this.el('timeline').innerHTML = timelineSvg(state);
    this.el('tl-desc').textContent = timelineDesc(state);
    this.el('buffers').innerHTML = buffersSvg(state);
    this.el('bf-desc').textContent = buffersDesc(state);
    this.el('counters').innerHTML = countersHtml(state);
    this.el('formula').innerHTML = formulaHtml(state);
    this.el('tables').innerHTML = tablesHtml(state);
  }

  protected loadViews(): Promise<void> {
    // The drawings are plain SVG strings rendered on every step: nothing heavy to load.
    return Promise.resolve();
  }
}

if (!customElements.get('daq-sim')) customElements.define('daq-sim', DaqSimElement);
