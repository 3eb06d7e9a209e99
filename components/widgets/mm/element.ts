/**
 * `<mm-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `mmWidget` (`definition.ts`), plus what only this widget does: the address form. The
 * field walks any address of the step's process; a typed address stays (in the translation
 * view and the table view) until "Follow the steps" or Reset, and a bad one gets a message,
 * never an exception.
 *
 * Host attributes (besides the generic ones and the facts): `data-walk` (`step` | `typed`).
 * Event: `mm-sim:step` (bubbles) with `detail: { index, steps, narration, lostWrites }`.
 * Share links, `load({ schedule, step })` and `openShare` are the generic element's
 * (`mm.1.<preset>.<choices>.<step>`, sims/mm/share.ts).
 */
import type { MmState } from '../../../sims/mm/index.ts';
import type { On } from '../../player/sim-player-element.ts';
import { defineWidget, WidgetElement } from '../../player/widget-element.ts';
import { mmWidget } from './definition.ts';
import { accessAt, hex48, walkTyped } from './format.ts';
import { stepWalk, tablesHtml } from './html.ts';
import type { MmWalkShown, MmWalkSource } from './views.ts';

export class MmSimElement extends WidgetElement implements MmWalkSource {
  /** An address the learner typed (walked until "Follow the steps"), or null. */
  private typed: { text: string; pid: number } | null = null;
  /** The walk of the state last rendered (what the translation view draws). */
  private shown: MmWalkShown = { walk: null, walkError: null, walkKey: '' };

  /** The walk the translation view shows now (read by `views.ts`). */
  mmWalk(): MmWalkShown {
    return this.shown;
  }

  private get states(): readonly MmState[] {
    return this.player.states as readonly MmState[];
  }

  /** The process whose addresses the field walks: the step's access's. */
  private walkPid(): number {
    return accessAt(this.states, this.player.index).pid;
  }

  /** The walk to show for `state`: the typed address, or the step's access (keeps the form current). */
  private currentWalk(state: MmState): MmWalkShown {
    const msg = this.el('walkmsg');
    if (this.typed) {
      const r = walkTyped(state, this.typed.text, this.typed.pid);
      if (r.ok) {
        msg.dataset.kind = 'note';
        msg.textContent = r.note;
        return { walk: { pid: r.pid, walk: r.walk, why: 'the address you typed' }, walkError: null, walkKey: `t:${r.pid}:${r.va}:${JSON.stringify(r.walk.outcome)}` };
      }
      // The process exited under the typed address: go back to following the steps.
      this.typed = null;
      msg.dataset.kind = 'error';
      msg.textContent = r.error;
    } else if (msg.dataset.kind === 'note') {
      msg.textContent = '';
      delete msg.dataset.kind;
    }
    const a = accessAt(this.states, this.player.index);
    const input = this.el<HTMLInputElement>('walkinput');
    if (document.activeElement !== input) {
      input.value = hex48(a.va).replace(/^0x0+/, '0x');
      input.removeAttribute('aria-invalid');
    }
    this.el('walkpid').textContent = String(a.pid);
    try {
      const w = stepWalk(this.states, this.player.index);
      return { walk: w, walkError: null, walkKey: `s:${w.pid}:${w.walk.va}:${JSON.stringify(w.walk.outcome)}` };
    } catch (e) {
      return { walk: null, walkError: e instanceof Error ? e.message : String(e), walkKey: 'error' };
    }
  }

  protected renderState(state: unknown, animate: boolean, changed: boolean): void {
    const typedBefore = this.typed !== null;
    this.shown = this.currentWalk(state as MmState);
    this.dataset.walk = this.typed ? 'typed' : 'step';
    this.el('walkfollow').hidden = !this.typed;
    super.renderState(state, animate, changed);
    // The generic render shows the step's walk in the tables: a typed one replaces it.
    if (this.typed || typedBefore) {
      const html = tablesHtml(state as MmState, this.shown.walk);
      const el = this.el('mmtables');
      if (el.innerHTML !== html) el.innerHTML = html;
    }
  }

  /** After `load`, the form is rendered again: its controls work (they are rendered disabled). */
  protected renderRunParts(): void {
    this.typed = null;
    super.renderRunParts();
    this.el('walk')
      .querySelectorAll<HTMLInputElement | HTMLButtonElement>('[data-needs-js]')
      .forEach((c) => (c.disabled = false));
    this.render(false);
  }

  protected wireExtra(on: On): void {
    super.wireExtra(on);
    // Listeners on the form's box (the form itself is replaced by `load`).
    const box = this.el('walk');
    on(box, 'submit', (e) => {
      e.preventDefault();
      const input = this.el<HTMLInputElement>('walkinput');
      const pid = this.walkPid();
      const r = walkTyped(this.player.current as MmState, input.value, pid);
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
    on(box, 'click', (e) => {
      if (!(e.target as HTMLElement).closest('[data-part="walkfollow"]')) return;
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
}

defineWidget(mmWidget, MmSimElement);
