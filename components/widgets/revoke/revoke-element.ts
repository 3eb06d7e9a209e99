/**
 * <dpl-revoke-mmap>: the revoke-an-mmap widget's behaviour. The server renders the page table,
 * the form and an empty log (RevokeMmap.astro, from revoke-view.ts); this element keeps the
 * history of states of the revoke model (sims/revoke) and the log in step (a `StepLogElement`),
 * applies the step a button names, re-renders with the same view functions, logs the step and
 * announces the model's narration in a polite live region. Changing the fault handler or the
 * SIGBUS-handler box starts a fresh run (the driver and the program are different ones). Only
 * the steps the model allows are enabled; if the focused button becomes disabled (the process
 * was killed), focus moves to Step back.
 */
import { enabled, initialState, step, type Policy, type RevokeChoice, type RevokeState } from '../../../sims/revoke/index.ts';
import { StepLogElement } from '../../player/step-log.ts';
import { countersText, logText, rowsHtml, scratchText } from './revoke-view.ts';

export class DplRevokeMmap extends StepLogElement<RevokeState> {
  connectedCallback(): void {
    if (this.dataset.ready) return;
    const pages = Number(this.dataset.pages ?? 4);
    const policy: Policy = this.dataset.policy === 'scratch' ? 'scratch' : 'sigbus';
    this.states = [initialState({ pages, policy, sigbusHandler: false })];
    this.onButton('act', (b) => this.act(b.dataset.act!, Number(b.dataset.page ?? -1)));
    this.querySelector('form')!.addEventListener('change', () => this.restart());
    for (const el of this.querySelectorAll<HTMLInputElement>('input')) el.disabled = false;
    this.dataset.ready = '1';
    this.render();
  }

  /** Runs what a button names: 'write' (with its page), 'revoke', 'back' or 'reset'. */
  act(name: string, page: number): void {
    if (name === 'reset') return this.restartFrom(this.states[0], 'A fresh mapping: every PTE points at the device again.');
    if (name === 'back') return this.stepBack((left) => (left ? 'Back one step.' : 'Back to the fresh mapping.'));
    const choice: RevokeChoice = name === 'revoke' ? { act: 'revoke' } : { act: 'write', page };
    const cur = this.current;
    if (!enabled(cur).some((c) => c.act === choice.act && (c.act === 'revoke' || c.page === page))) return this.say('That step is not possible now.');
    const next = step(cur, choice);
    this.pushStep(next, [logText(next)], next.event!.narration, next.event!.outcome === 'fault-sigbus');
  }

  /** Starts again with the policy and handler the form now shows. */
  restart(): void {
    const policy: Policy = this.querySelector<HTMLInputElement>('input[type="radio"]:checked')?.value === 'scratch' ? 'scratch' : 'sigbus';
    const sigbusHandler = this.querySelector<HTMLInputElement>('input[name="handler"]')?.checked === true;
    this.restartFrom(
      initialState({ pages: this.states[0].pages, policy, sigbusHandler }),
      `A fresh mapping; after a revoke the fault handler will ${policy === 'sigbus' ? 'return VM_FAULT_SIGBUS' : 'map a scratch page'}${policy === 'sigbus' ? (sigbusHandler ? ', and the process has a SIGBUS handler' : ', and the process has no SIGBUS handler') : ''}.`,
    );
  }

  protected render(): void {
    const s = this.current;
    this.querySelector('tbody')!.innerHTML = rowsHtml(s);
    this.querySelector('.rvw__scratch')!.textContent = scratchText(s);
    this.querySelector('.rvw__counters')!.textContent = countersText(s);
    const can = enabled(s);
    for (const b of this.querySelectorAll<HTMLButtonElement>('button[data-act]')) {
      const a = b.dataset.act;
      if (a === 'write') b.disabled = !can.some((c) => c.act === 'write' && c.page === Number(b.dataset.page));
      else if (a === 'revoke') b.disabled = !can.some((c) => c.act === 'revoke');
      else if (a === 'back') b.disabled = this.states.length === 1;
      else b.disabled = false;
    }
    const handler = this.querySelector<HTMLInputElement>('input[name="handler"]');
    if (handler) handler.closest('label')!.hidden = s.policy !== 'sigbus';
    this.dataset.process = s.process;
    this.dataset.revoked = String(s.revoked);
    const active = document.activeElement;
    if (active instanceof HTMLButtonElement && this.contains(active) && active.disabled) {
      const back = this.querySelector<HTMLButtonElement>('button[data-act="back"]')!;
      (back.disabled ? this.querySelector<HTMLButtonElement>('button[data-act="reset"]')! : back).focus();
    }
  }
}

/** Defines the element once (safe to call more than once). */
export function defineRevokeMmap(): void {
  if (!customElements.get('dpl-revoke-mmap')) customElements.define('dpl-revoke-mmap', DplRevokeMmap);
}
