/**
 * <dpl-fd-table>: the fd-table widget's behaviour. The server renders the table, the form and
 * an empty log (FdTable.astro); this element (a `StepLogElement`, which keeps the history of
 * states of the fd model, sims/fd, and the log in step) applies the call a button names to the
 * last state, re-renders the rows with the same view functions as the server, logs the call
 * and its result, and announces the model's narration in a polite live region. "Step back" drops the last call;
 * "Reset" starts a fresh process. A bad number in a field is refused with a message and
 * changes nothing.
 */
import { initialState, step, type FdOp, type FdState } from '../../../sims/fd/index.ts';
import { StepLogElement } from '../../player/step-log.ts';
import { resultText, rowsHtml, summaryText } from './fd-view.ts';

/** Parses a field as an integer; null (with the reason) when it is not one. */
export function parseFd(raw: string): number | null {
  const t = raw.trim();
  return /^-?\d{1,9}$/.test(t) ? Number(t) : null;
}

export class DplFdTable extends StepLogElement<FdState> {
  connectedCallback(): void {
    if (this.dataset.ready) return;
    this.dataset.ready = '1';
    this.states = [initialState({ limit: Number(this.dataset.limit ?? 12) })];
    this.onButton('call', (b) => this.call(b.dataset.call!));
    for (const b of this.querySelectorAll<HTMLButtonElement>('button[data-call]')) b.disabled = false;
    this.render();
  }

  /** Runs the call a button names ('open', 'close', 'dup', 'dup2', 'dupfd', 'back', 'reset'). */
  call(name: string): void {
    if (name === 'reset') return this.restartFrom(this.states[0], 'Fresh process: fds 0, 1 and 2 open, everything else free.');
    if (name === 'back') return this.stepBack((left) => (left ? `Back to after ${this.current.event!.call}.` : 'Back to the fresh process.'));
    const fd = parseFd(this.field('fd'));
    const arg = parseFd(this.field('arg'));
    let op: FdOp;
    if (name === 'open') op = { op: 'open' };
    else if (fd === null) return this.say('Type an fd number (an integer) in the fd field first.');
    else if (name === 'close' || name === 'dup') op = { op: name, fd };
    else if (arg === null) return this.say(`Type an integer in the ${name === 'dup2' ? 'newfd' : 'min'} field first.`);
    else op = name === 'dup2' ? { op: 'dup2', fd, newfd: arg } : { op: 'dupfd', fd, min: arg };
    const next = step(this.current, op);
    const e = next.event!;
    const code = document.createElement('code');
    code.textContent = e.call;
    this.pushStep(next, [code, ` → ${resultText(e)}`], e.narration, e.ret < 0);
  }

  private field(name: string): string {
    return this.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.value ?? '';
  }

  protected render(): void {
    const s = this.current;
    this.querySelector('tbody')!.innerHTML = rowsHtml(s);
    this.querySelector('.fdw__summary')!.textContent = summaryText(s);
    const back = this.querySelector<HTMLButtonElement>('button[data-call="back"]');
    if (back) back.disabled = this.states.length === 1;
  }
}

/** Defines the element once (safe to call more than once). */
export function defineFdTable(): void {
  if (!customElements.get('dpl-fd-table')) customElements.define('dpl-fd-table', DplFdTable);
}
