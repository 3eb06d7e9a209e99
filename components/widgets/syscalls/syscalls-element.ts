/**
 * <dpl-syscall-count>: the ioctl-versus-sysfs widget's behaviour. The server renders the form,
 * the call sequence and the counts (SyscallCount.astro, from syscalls-view.ts); this element
 * enables the form and, when N or the way changes, re-renders both tables with the same view
 * functions and announces the model's summary in the polite live region. An N that is not a
 * whole number in range is refused with a message, and the tables keep the last good run.
 */
import { plan, summary, WAYS, type Way } from '../../../sims/syscalls/index.ts';
import { countsInner, parseN, sequenceRows } from './syscalls-view.ts';

export class DplSyscallCount extends HTMLElement {
  private n = 1000;
  private way: Way = 'sysfs-reopen';

  connectedCallback(): void {
    if (this.dataset.ready) return;
    this.n = Number(this.dataset.n ?? 1000);
    this.way = (WAYS as readonly string[]).includes(this.dataset.way ?? '') ? (this.dataset.way as Way) : 'sysfs-reopen';
    const form = this.querySelector('form')!;
    form.addEventListener('submit', (ev) => { ev.preventDefault(); this.update(); });
    form.addEventListener('change', () => this.update());
    for (const el of this.querySelectorAll<HTMLInputElement>('input')) el.disabled = false;
    this.dataset.ready = '1';
  }

  /** Reads the form, and re-renders and announces if it holds a valid run. */
  update(): void {
    const raw = this.querySelector<HTMLInputElement>('input[name="n"]')!.value;
    const parsed = parseN(raw);
    const checked = this.querySelector<HTMLInputElement>('input[type="radio"]:checked');
    const way = (checked?.value ?? this.way) as Way;
    if ('error' in parsed) {
      this.say(`${parsed.error} The tables still show N = ${this.n.toLocaleString('en-US')}.`);
      this.dataset.invalid = '1';
      return;
    }
    delete this.dataset.invalid;
    this.n = parsed.n;
    this.way = way;
    const p = plan({ way, n: parsed.n });
    this.querySelector('.scw__seq tbody')!.innerHTML = sequenceRows(p);
    this.querySelector('.scw__counts')!.innerHTML = countsInner(parsed.n, way);
    this.say(summary(p));
  }

  private say(text: string): void {
    this.querySelector('.scw__status')!.textContent = text;
  }
}

/** Defines the element once (safe to call more than once). */
export function defineSyscallCount(): void {
  if (!customElements.get('dpl-syscall-count')) customElements.define('dpl-syscall-count', DplSyscallCount);
}
