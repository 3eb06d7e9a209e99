/**
 * The base of the hands-on widgets that keep a history of a model's states and a log of the
 * steps taken (the fd table, the revoked mmap; docs/ARCHITECTURE.md "Hands-on widgets"). The
 * server renders the first state with an empty log (`.steplog__log`) and an empty polite live
 * region (`.steplog__status`), styled by `step-log.css`; a subclass reads its host's `data-*`,
 * applies the step a button names to the last state, and renders the state with the same view
 * functions as the server. This class keeps the history and the log in step: a step appends a
 * state and a log line, Step back removes both, Reset starts from a first state, and every
 * change is announced. Model-agnostic: `S` is any state.
 */
export abstract class StepLogElement<S> extends HTMLElement {
  /** Every state so far, the first one first (never empty once connected). */
  protected states: S[] = [];

  /** Re-renders the widget for the last state (the rows, the texts, which buttons are enabled). */
  protected abstract render(): void;

  /** The state shown: the last one. */
  protected get current(): S {
    return this.states[this.states.length - 1];
  }

  /**
   * Runs `run(button)` on a click on an enabled `button[data-<attr>]` inside the widget, and
   * stops the widget's form from submitting (Enter in a field).
   */
  protected onButton(attr: string, run: (button: HTMLButtonElement) => void): void {
    this.addEventListener('click', (ev) => {
      const b = (ev.target as HTMLElement).closest<HTMLButtonElement>(`button[data-${attr}]`);
      if (b && this.contains(b) && !b.disabled) run(b);
    });
    this.querySelector('form')?.addEventListener('submit', (ev) => ev.preventDefault());
  }

  /** Starts again from `first`: the log emptied, rendered, `message` announced. */
  protected restartFrom(first: S, message: string): void {
    this.states = [first];
    this.log().replaceChildren();
    this.render();
    this.say(message);
  }

  /**
   * Step back: drops the last state and its log line (nothing at the first state), renders,
   * and announces `message(stepsLeft)`, `stepsLeft` true while a step remains.
   */
  protected stepBack(message: (stepsLeft: boolean) => string): void {
    if (this.states.length > 1) {
      this.states.pop();
      this.log().lastElementChild?.remove();
    }
    this.render();
    this.say(message(this.states.length > 1));
  }

  /**
   * A step: appends `next` to the history and a log line (`.steplog__err` when `failed`)
   * holding `line`, renders, and announces `narration`.
   */
  protected pushStep(next: S, line: (string | Node)[], narration: string, failed = false): void {
    this.states.push(next);
    const li = document.createElement('li');
    if (failed) li.className = 'steplog__err';
    li.append(...line);
    this.log().append(li);
    this.render();
    this.say(narration);
  }

  /** The log list. */
  protected log(): HTMLElement {
    return this.querySelector<HTMLElement>('.steplog__log')!;
  }

  /** Announces `text` in the polite live region. */
  protected say(text: string): void {
    this.querySelector('.steplog__status')!.textContent = text;
  }
}
