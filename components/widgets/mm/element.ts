/**
 * `<mm-sim>`: upgrades the server-rendered memory simulation (`MmSim.astro`) on the shared
 * player shell (`shell/sim-player-element.ts`).
 *
 * Per step it re-renders the text views (`mm-html.ts`: tables, the driver's calls, the pin
 * check) and, once loaded, the d3 diagrams (`views/mm-diagrams.ts`: the address translation
 * and physical memory). The address field walks any address of the process; a typed
 * address stays until "Follow the steps" (or Reset), and a bad one gets a message, never an
 * exception.
 *
 * Attributes (besides the shell's `data-step`, `data-steps`, `data-ready`, `data-playing`,
 * `data-finished`, `data-view`, `data-diagrams`): `data-preset`; `data-walk` (`step` |
 * `typed`); `data-lost` (`true` when a DMA write landed in a freed or foreign frame).
 * Event: `mm-sim:step` (bubbles) with `detail: { index, steps, narration, lostWrites }`.
 *
 * Public API: `load({ schedule, step })` shows another timeline of the same preset (share
 * links); `preset`, `timeline`, `index` read what is shown.
 */
import { MM_PRESETS, mmModel, walk } from '../../sims/mm/index.ts';
import type { MmChoice, MmParams, MmState } from '../../sims/mm/index.ts';
import { accessAt, dmaTargets, hex48, narrationOf, walkTyped } from './mm-format.ts';
import { choiceHtmlFor, driverCallsHtml, pinCheckHtml, tablesHtml, walkWhy, type WalkShown } from './mm-html.ts';
import { maxProcRows } from './mm-layout.ts';
import { PlayerCore } from '../player/player-core.ts';
import { SimPlayerElement } from '../player/sim-player-element.ts';
import type { MmDiagrams } from './views/mm-diagrams.ts';

/** A timeline of this player's preset to show: what `MmSimElement.load` takes. */
export interface MmLoadRun {
  /** Choices from the initial state. */
  schedule: readonly MmChoice[];
  /** State to show, 0 to `schedule.length`. */
  step: number;
}

export class MmSimElement extends SimPlayerElement<MmParams, MmState, MmChoice> {
  protected readonly widgetName = 'mm-sim';
  protected readonly eventName = 'mm-sim:step';
  protected noChoicesHtml = '<p class="sim-note">Nothing can happen next: every process, the driver and the device are done.</p>';
  private diagrams: MmDiagrams | null = null;
  /** An address the learner typed (walked until "Follow the steps"), or null. */
  private typed: { text: string; pid: number } | null = null;
  private lastTablesKey = '';

  /** The preset shown (`data-preset`). */
  get preset(): string {
    return this.dataset.preset ?? '';
  }
  /** Every choice of the timeline shown. */
  get timeline(): readonly MmChoice[] {
    return this.player ? this.player.choices : [];
  }
  /** The step shown, 0 = the initial state. */
  get index(): number {
    return this.player ? this.player.index : 0;
  }

  protected createPlayer(): PlayerCore<MmParams, MmState, MmChoice> | string {
    const spec = MM_PRESETS[this.preset];
    if (!spec) return `Unknown memory simulation preset "${this.preset}".`;
    try {
      return new PlayerCore({ model: mmModel, params: spec.params, seed: 1, schedule: spec.schedule });
    } catch (e) {
      return `This simulation's preset does not replay: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /**
   * Shows another timeline of this preset (a shared link) at `step`. Checks everything
   * first; returns a message and changes nothing when the schedule does not replay or the
   * step is out of range. Returns null on success. Never throws.
   */
  load(run: MmLoadRun): string | null {
    if (!this.player) return 'This player could not start, so it cannot show another run.';
    const spec = MM_PRESETS[this.preset];
    let next: PlayerCore<MmParams, MmState, MmChoice>;
    try {
      next = new PlayerCore({ model: mmModel, params: spec.params, seed: 1, schedule: run.schedule });
    } catch (e) {
      return `This run cannot be shown: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!Number.isInteger(run.step) || run.step < 0 || run.step > run.schedule.length) {
      return `This run cannot be shown: step ${run.step} is outside its ${run.schedule.length} steps.`;
    }
    next.seek(run.step);
    this.typed = null;
    this.dataset.loaded = 'true';
    this.replacePlayer(next);
    return null;
  }

  protected async shareText(): Promise<string> {
    const p = this.player;
    const { encodeMmShare } = await import('../../sims/mm/index.ts');
    return encodeMmShare({ preset: this.preset, schedule: p.choices, step: p.index });
  }

  protected narrationOf(state: MmState): string {
    return narrationOf(state);
  }

  protected noSourceText(state: MmState): string {
    switch (state.event?.actor) {
      case 'device':
        return 'the device: no kernel code runs';
      case 'driver':
        return 'the driver’s own code';
      default:
        return typeof state.event?.actor === 'number' ? 'the MMU: no fault, no kernel code' : '';
    }
  }

  protected choiceHtml(state: MmState, choice: MmChoice, index: number): string {
    return choiceHtmlFor(state, choice, index);
  }

  protected stepDetail(): Record<string, unknown> {
    return { lostWrites: this.dataset.lost === 'true' };
  }

  protected wireExtra(on: <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) => void): void {
    on(this.el('walkform'), 'submit', (e) => {
      e.preventDefault();
      const input = this.el<HTMLInputElement>('walkinput');
      const pid = this.walkPid();
      const r = walkTyped(this.player.current, input.value, pid);
      const msg = this.el('walkmsg');
      if (!r.ok) {
        input.setAttribute('aria-invalid', 'true');
        msg.dataset.kind = 'error';
        msg.textContent = r.error;
        return;
      }
      input.removeAttribute('aria-invalid');
      this.typed = { text: input.value, pid };
      this.wake();
      this.render(true);
    });
    on(this.el('walkfollow'), 'click', () => {
      this.typed = null;
      this.render(true);
      this.el<HTMLInputElement>('walkinput').focus();
    });
    on(this.el('reset'), 'click', () => {
      if (this.typed) {
        this.typed = null;
        this.render(false);
      }
    });
  }

  /** The process whose addresses the field walks: the step's access's. */
  private walkPid(): number {
    return accessAt(this.player.states, this.player.index).pid;
  }

  /** The walk to show now: the typed address, or the step's access. */
  private currentWalk(state: MmState): { shown: WalkShown | null; error: string | null; key: string } {
    const msg = this.el('walkmsg');
    if (this.typed) {
      const r = walkTyped(state, this.typed.text, this.typed.pid);
      if (r.ok) {
        msg.dataset.kind = 'note';
        msg.textContent = r.note;
        const shown = { pid: r.pid, walk: r.walk, why: 'the address you typed' };
        return { shown, error: null, key: `t:${r.pid}:${r.va}:${JSON.stringify(r.walk.outcome)}` };
      }
      // The process exited under the typed address: go back to following the steps.
      this.typed = null;
      msg.dataset.kind = 'error';
      msg.textContent = r.error;
    } else if (msg.dataset.kind === 'note') {
      msg.textContent = '';
      delete msg.dataset.kind;
    }
    const a = accessAt(this.player.states, this.player.index);
    const input = this.el<HTMLInputElement>('walkinput');
    if (document.activeElement !== input) {
      input.value = hex48(a.va).replace(/^0x0+/, '0x');
      input.removeAttribute('aria-invalid');
    }
    this.el('walkpid').textContent = String(a.pid);
    try {
      const w = walk(state, a.va, a.pid);
      return { shown: { pid: a.pid, walk: w, why: walkWhy(a) }, error: null, key: `s:${a.pid}:${a.va}:${JSON.stringify(w.outcome)}` };
    } catch (e) {
      return { shown: null, error: e instanceof Error ? e.message : String(e), key: 'error' };
    }
  }

  protected renderState(state: MmState, animate: boolean, changed: boolean): void {
    const p = this.player;
    const { shown, error, key } = this.currentWalk(state);
    this.dataset.walk = this.typed ? 'typed' : 'step';
    this.el('walkfollow').hidden = !this.typed;
    const tablesKey = `${p.index}:${key}`;
    if (changed || tablesKey !== this.lastTablesKey) this.el('tables').innerHTML = tablesHtml(state, shown);
    this.lastTablesKey = tablesKey;
    this.el('driver').innerHTML = driverCallsHtml(p.states, p.index);
    this.el('check').innerHTML = pinCheckHtml(state, p.finished);
    const lost = dmaTargets(state).some((t) => t.status === 'freed' || t.status === 'elsewhere' || t.status === 'zero-page');
    this.dataset.lost = String(lost);
    this.diagrams?.update(
      { state, prev: p.index > 0 ? p.states[p.index - 1] : null, walk: shown, walkError: error, walkKey: key, procRows: maxProcRows(p.states) },
      animate,
    );
  }

  protected async loadViews(): Promise<void> {
    const { createMmDiagrams } = await import('./views/mm-diagrams.ts');
    this.diagrams = createMmDiagrams({
      walk: this.el<SVGSVGElement>('walksvg'),
      memory: this.el<SVGSVGElement>('memsvg'),
      idPrefix: this.id || 'mm-sim',
    });
    // Draw now (without waiting for a step): the element renders its current state.
    this.dataset.diagrams = 'loaded';
    this.render(false);
  }
}

if (!customElements.get('mm-sim')) customElements.define('mm-sim', MmSimElement);
