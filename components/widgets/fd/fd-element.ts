/**
 * <dpl-fd-table>: the fd-table widget's behaviour. The server renders the table, the form and
 * an empty log (FdTable.astro); this element keeps the list of states of the fd model
 * (sims/fd), applies the call a button names to the last state, re-renders the rows with the
 * same view functions as the server, appends the call and its result to the log, and
 * announces the model's narration in a polite live region. "Step back" drops the last call;
 * "Reset" starts a fresh process. A bad number in a field is refused with a message and
 * changes nothing.
 */
import { initialState, step, type FdOp, type FdState } from '../../../sims/fd/index.ts';
import { resultText, rowsHtml, summaryText } from './fd-view.ts';

/** Parses a field as an integer; null (with the reason) when it is not one. */
export function parseFd(raw: string): number | null {
  const t = raw.trim();
  return /^-?\d{1,9}$/.test(t) ? Number(t) : null;
}

export class DplFdTable extends HTMLElement {
  private states: FdState[] = [];

  connectedCallback(): void {
    if (this.dataset.ready) return;
    this.dataset.ready = '1';
    this.states = [initialState({ limit: Number(this.dataset.limit ?? 12) })];
    this.addEventListener('click', (ev) => {
      const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-call]');
      if (b && this.contains(b)) this.call(b.dataset.call!);
    });
    this.querySelector('form')?.addEventListener('submit', (ev) => ev.preventDefault());
    for (const b of this.querySelectorAll<HTMLButtonElement>('button[data-call]')) b.disabled = false;
    this.render();
  }

  /** Runs the call a button names ('open', 'close', 'dup', 'dup2', 'dupfd', 'back', 'reset'). */
  call(name: string): void {
    if (name === 'reset') {
      this.states = [this.states[0]];
      this.log().replaceChildren();
      this.render();
      this.say('Fresh process: fds 0, 1 and 2 open, everything else free.');
      return;
    }
    if (name === 'back') {
      if (this.states.length > 1) {
        this.states.pop();
        this.log().lastElementChild?.remove();
      }
      this.render();
      this.say(this.states.length > 1 ? `Back to after ${this.states[this.states.length - 1].event!.call}.` : 'Back to the fresh process.');
      return;
    }
    const fd = parseFd(this.field('fd'));
    const arg = parseFd(this.field('arg'));
    let op: FdOp;
    if (name === 'open') op = { op: 'open' };
    else if (fd === null) return this.say('Type an fd number (an integer) in the fd field first.');
    else if (name === 'close' || name === 'dup') op = { op: name, fd };
    else if (arg === null) return this.say(`Type an integer in the ${name === 'dup2' ? 'newfd' : 'min'} field first.`);
    else op = name === 'dup2' ? { op: 'dup2', fd, newfd: arg } : { op: 'dupfd', fd, min: arg };
    const next = step(this.states[this.states.length - 1], op);
    this.states.push(next);
    const e = next.event!;
    const li = document.createElement('li');
    li.className = e.ret < 0 ? 'fdw__err' : 'fdw__ok';
    const code = document.createElement('code');
    code.textContent = e.call;
    li.append(code, ` → ${resultText(e)}`);
    this.log().append(li);
    this.render();
    this.say(e.narration);
  }

  private field(name: string): string {
    return this.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.value ?? '';
  }

  private log(): HTMLElement {
    return this.querySelector<HTMLElement>('.fdw__log')!;
  }

  private render(): void {
    const s = this.states[this.states.length - 1];
    this.querySelector('tbody')!.innerHTML = rowsHtml(s);
    this.querySelector('.fdw__summary')!.textContent = summaryText(s);
    const back = this.querySelector<HTMLButtonElement>('button[data-call="back"]');
    if (back) back.disabled = this.states.length === 1;
  }

  private say(text: string): void {
    const status = this.querySelector('.fdw__status')!;
    status.textContent = text;
  }
}

/** Defines the element once (safe to call more than once). */
export function defineFdTable(): void {
  if (!customElements.get('dpl-fd-table')) customElements.define('dpl-fd-table', DplFdTable);
}
