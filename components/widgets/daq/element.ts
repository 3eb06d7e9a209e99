/**
 * `<daq-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `daqWidget`, plus what only this widget does: the form that changes the parameters and the
 * cost table. "Run with these" builds new parameters with `paramsFromForm` (the model checks
 * them): a bad value shows a message naming the field and leaves the run as it was; good
 * values start a new run at step 0. "Back to the preset" returns to the preset's run.
 *
 * Share links carry the parameters (`sims/daq/share.ts`): a run of the preset's own
 * parameters is a preset link (`daq.1.…`), a run of changed parameters a `daq.2.…` link with
 * the changes; opening one shows the run at its step in this preset's player, with the form
 * showing the link's values.
 *
 * Host attributes: the shell's, `data-model`, `data-preset`, the facts of `daqWidget`
 * (`data-delivered`, `data-lost`, `data-overruns`, `data-design`) and `data-params`
 * (`preset` or `changed`). Event: `daq-sim:step` with
 * `detail: { index, steps, narration, delivered, lost }`.
 */
import { DAQ_PRESETS, daqModel, decodeDaqShare, encodeDaqShare, sameDaqParams, type DaqChoice, type DaqParams } from '../../../sims/daq/index.ts';
import { PlayerCore } from '../../player/player-core.ts';
import type { On } from '../../player/sim-player-element.ts';
import { defineWidget, WidgetElement } from '../../player/widget-element.ts';
import { daqWidget, FIELDS, fieldValue, paramsFromForm } from './definition.ts';

export class DaqSimElement extends WidgetElement {
  /** The preset's parameters (null for an unknown preset: the shell then shows an error). */
  private presetParams(): DaqParams | null {
    return Object.hasOwn(DAQ_PRESETS, this.preset) ? DAQ_PRESETS[this.preset].params : null;
  }

  /** The parameters of the run shown. */
  private get params(): DaqParams {
    return this.player.params as DaqParams;
  }

  /** Writes `p` into the form's fields (in their units). */
  private fillForm(p: DaqParams): void {
    const form = this.el<HTMLFormElement>('params');
    for (const f of FIELDS) {
      const input = form.elements.namedItem(f.name);
      if (input instanceof HTMLInputElement) input.value = String(fieldValue(p, f));
    }
  }

  /** Shows `message` under the form (`error`: in the error style). */
  private say(message: string, error = false): void {
    const msg = this.el('params-msg');
    msg.textContent = message;
    msg.classList.toggle('daq-error', error);
  }

  /**
   * Shows a new run of `params` (already checked by the model) from its start, or of
   * `schedule` at `step` (a share link); the form shows `params`.
   */
  private run(params: DaqParams, schedule: readonly DaqChoice[] = [], step = 0): void {
    const next = new PlayerCore({ model: daqModel, params, seed: 1, schedule });
    next.seek(step);
    this.replacePlayer(next as PlayerCore<unknown, unknown, unknown>);
    this.renderRunParts();
  }

  /** The run's parts (the formula) and the form follow the parameters shown; the form is never re-rendered (it keeps focus and its open state). */
  protected renderRunParts(): void {
    const ctx = this.ctx();
    for (const part of this.def.parts) {
      if (part.update !== 'run' || part.name === 'paramsbox') continue;
      const el = this.maybeEl(part.name);
      if (el) el.innerHTML = part.html(ctx);
    }
    this.fillForm(this.params);
    const preset = this.presetParams();
    this.dataset.params = preset && sameDaqParams(this.params, preset) ? 'preset' : 'changed';
  }

  protected setup(): void {
    this.dataset.params = 'preset';
  }

  protected wireExtra(on: On): void {
    super.wireExtra(on);
    const form = this.el<HTMLFormElement>('params');
    on(form, 'submit', (e) => {
      e.preventDefault();
      const values: Record<string, string> = {};
      for (const f of FIELDS) {
        const input = form.elements.namedItem(f.name);
        if (input instanceof HTMLInputElement) values[f.name] = input.value;
      }
      const next = paramsFromForm(this.params, values);
      if (typeof next === 'string') {
        this.say(next, true);
        return;
      }
      this.run(next);
      this.say('Running with your parameters: step or play. “Copy link to this step” carries them.');
    });
    on(this.el('params-reset'), 'click', () => {
      const p = this.presetParams();
      if (!p) return;
      this.run(p);
      this.say('Back to the preset.');
    });
  }

  // ---- share links: the parameters travel with the run ------------------------------------

  protected async shareText(): Promise<string | null> {
    return encodeDaqShare({ preset: this.preset, params: this.params, schedule: this.player.choices as DaqChoice[], step: this.player.index });
  }

  async openShare(text: string, _any: boolean): Promise<'opened' | 'not-mine' | string> {
    const d = decodeDaqShare(text);
    if (!d.ok) return d.error;
    if (d.preset !== this.preset) return 'not-mine';
    if (!(await this.whenStarted())) return this.notStarted();
    this.run(d.params, d.schedule, d.step);
    this.dataset.loaded = 'true';
    if (d.changed) this.say('Running with the parameters of the link (the form shows them).');
    else this.say('');
    return 'opened';
  }
}

defineWidget(daqWidget, DaqSimElement);
