/**
 * `<prove-it>`: upgrades the server-rendered Prove-it panel (`ProveIt.astro`).
 *
 * Reads the form into `PanelChoices` (`panel-model.ts`), runs the explorer in a Worker
 * through `client.ts` (imported on the first "Prove it", so the page's first load stays
 * small), shows progress with a Cancel button, and renders the answer. A counterexample
 * opens in the embedded `<tty-sim>` at the step where the property fails; "Try it by hand
 * first" opens the same configuration there with no schedule.
 *
 * Attributes kept current for tests and styling: `data-ready`, `data-state` (`idle` |
 * `running`), `data-verdict` (`proved` | `counterexample` | `incomplete` | `error`, after a
 * run), `data-model="tty"` and `data-share-target`: it is the page's share target for tty
 * links of configurations no lesson player shows (`openShare`, called by
 * `components/player/share-link.ts`).
 */
import type { ExploreProgress, ExploreResult } from '../../sims/explore/index.ts';
import { DEADLOCK } from '../../sims/explore/index.ts';
import type { TtyProperty } from '../../sims/tty/index.ts';
import { decodeShare, type TtyChoice, type TtyParams, type Variant } from '../../sims/tty/index.ts';
import { scrollToWidget, type SharePlayer } from '../player/share-link.ts';
import { sameTtyParams, SHARED_RUN_HEADING, type LoadRun, type TtySimElement } from '../widgets/tty/element.ts';
import type { ExplorerClient, ExploreHandle } from './client.ts';
import {
  checkChoices,
  choicesFromParams,
  describeResult,
  limitPercent,
  MAX_PANEL_WRITERS,
  optionsOf,
  PANEL_DEFAULTS,
  PANEL_PRESETS,
  paramsOf,
  progressText,
  violationStep,
  type PanelChoices,
  type ResultView,
} from './panel-model.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What the last run asked and answered (for "Open in the player"). */
interface LastRun {
  params: TtyParams;
  property: TtyProperty;
  result: ExploreResult<TtyChoice>;
}

export class ProveItElement extends HTMLElement implements SharePlayer {
  private client: ExplorerClient | null = null;
  private run: ExploreHandle | null = null;
  private last: LastRun | null = null;
  /** The player shows the counterexample of an answer (not a shared run or a run by hand). */
  private playerShowsAnswer = false;
  private abort = new AbortController();

  private q<T extends HTMLElement = HTMLElement>(name: string): T {
    const el = this.querySelector<T>(`[data-part="${name}"]`);
    if (!el) throw new Error(`<prove-it>: missing [data-part="${name}"]`);
    return el;
  }

  private get form(): HTMLFormElement {
    return this.q<HTMLFormElement>('form');
  }

  private get player(): TtySimElement {
    const p = this.q('player').querySelector('tty-sim');
    if (!p) throw new Error('<prove-it>: missing its <tty-sim>');
    return p as TtySimElement;
  }

  connectedCallback(): void {
    const signal = this.abort.signal;
    const on = (t: EventTarget, type: string, fn: (e: Event) => void) => t.addEventListener(type, fn, { signal });
    on(this.form, 'submit', (e) => {
      e.preventDefault();
      void this.prove();
    });
    on(this.form, 'change', (e) => {
      const t = e.target as HTMLElement;
      if (t.matches('[name="writers"]')) this.syncWriters();
      if (t.matches('input[type="number"]')) t.removeAttribute('aria-invalid');
      this.markPreset(null);
    });
    on(this.q('cancel'), 'click', () => this.cancel());
    on(this.q('byhand'), 'click', () => void this.tryByHand());
    on(this, 'keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Escape' && this.run) {
        e.preventDefault();
        this.cancel();
      }
    });
    on(this.querySelector('.pi-presets')!, 'click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-preset]');
      const preset = PANEL_PRESETS.find((p) => p.id === btn?.dataset.preset);
      if (!btn || !preset || this.run) return;
      this.writeChoices(preset.choices);
      this.markPreset(preset.id);
    });
    on(this.q('result'), 'click', (e) => {
      if ((e.target as HTMLElement).closest('[data-part="open"]')) void this.openCounterexample();
    });
    this.querySelectorAll<HTMLButtonElement>('[data-needs-js]').forEach((b) => (b.disabled = false));
    this.markPreset('blocking');
    this.dataset.ready = 'true';
  }

  disconnectedCallback(): void {
    this.run?.cancel();
    this.abort.abort();
    this.abort = new AbortController();
  }

  // ---- the form ---------------------------------------------------------------------------

  private field<T extends HTMLInputElement | HTMLSelectElement>(name: string): T {
    const el = this.form.elements.namedItem(name);
    if (!el) throw new Error(`<prove-it>: missing field ${name}`);
    return el as T;
  }

  private radio(name: string): string {
    const checked = this.form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
    return checked ? checked.value : '';
  }

  /** The form as `PanelChoices` (sizes as typed: `checkChoices` says if they are usable). */
  readChoices(): PanelChoices {
    const n = Number(this.field<HTMLSelectElement>('writers').value) || 1;
    const writers = Array.from({ length: n }, (_, i) => ({
      size: Number(this.field<HTMLInputElement>(`size${i}`).value),
      nonblock: this.field<HTMLInputElement>(`nonblock${i}`).checked,
      signal: this.field<HTMLInputElement>(`signal${i}`).checked,
    }));
    const num = (name: string) => Number(this.field<HTMLSelectElement>(name).value);
    const bound = this.field<HTMLSelectElement>('preemptionBound').value;
    return {
      variant: (this.radio('variant') || 'kernel') as Variant,
      writers,
      property: (this.radio('property') || 'atomic-write') as TtyProperty,
      preemptionBound: bound === '' ? null : Number(bound),
      reduction: this.field<HTMLSelectElement>('reduction').value === 'none' ? 'none' : 'sleep-sets',
      chunkSize: num('chunkSize'),
      xmitSize: num('xmitSize'),
      drainBytes: num('drainBytes'),
      pipeBuf: num('pipeBuf'),
      pipeSlots: num('pipeSlots'),
      maxStates: num('maxStates'),
      maxTimeMs: num('maxTimeMs'),
    };
  }

  /** Sets the form to `c` (a preset). */
  writeChoices(c: PanelChoices): void {
    const set = (name: string, value: string) => (this.field<HTMLSelectElement>(name).value = value);
    this.form.querySelectorAll<HTMLInputElement>('input[name="variant"]').forEach((r) => (r.checked = r.value === c.variant));
    this.form.querySelectorAll<HTMLInputElement>('input[name="property"]').forEach((r) => (r.checked = r.value === c.property));
    set('writers', String(c.writers.length));
    for (let i = 0; i < MAX_PANEL_WRITERS; i++) {
      const w = c.writers[i] ?? PANEL_DEFAULTS.writers[0];
      const size = this.field<HTMLInputElement>(`size${i}`);
      size.value = String(w.size);
      size.removeAttribute('aria-invalid');
      this.field<HTMLInputElement>(`nonblock${i}`).checked = i < c.writers.length && w.nonblock;
      this.field<HTMLInputElement>(`signal${i}`).checked = i < c.writers.length && w.signal;
    }
    set('preemptionBound', c.preemptionBound === null ? '' : String(c.preemptionBound));
    set('reduction', c.reduction);
    for (const k of ['chunkSize', 'xmitSize', 'drainBytes', 'pipeBuf', 'pipeSlots', 'maxStates', 'maxTimeMs'] as const) set(k, String(c[k]));
    this.syncWriters();
  }

  private syncWriters(): void {
    const n = Number(this.field<HTMLSelectElement>('writers').value) || 1;
    this.querySelectorAll<HTMLFieldSetElement>('fieldset[data-writer]').forEach((fs) => {
      const on = Number(fs.dataset.writer) < n;
      fs.hidden = !on;
      fs.disabled = !on;
    });
  }

  private markPreset(id: string | null): void {
    this.querySelectorAll<HTMLButtonElement>('button[data-preset]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === id)));
  }

  /** Disables the configuration while a search runs (the answer is about what is shown). */
  private setRunning(running: boolean): void {
    this.dataset.state = running ? 'running' : 'idle';
    this.form.querySelectorAll<HTMLFieldSetElement>('fieldset.pi-fs').forEach((fs) => (fs.disabled = running));
    this.form.querySelectorAll<HTMLSelectElement>('.pi-more select').forEach((s) => (s.disabled = running));
    this.querySelectorAll<HTMLButtonElement>('button[data-preset]').forEach((b) => (b.disabled = running));
    this.q<HTMLButtonElement>('prove').disabled = running;
    this.q('cancel').hidden = !running;
    this.q('progress').hidden = !running;
    this.syncWriters();
  }

  // ---- running ----------------------------------------------------------------------------

  /** Runs the explorer on the form's configuration and shows the answer. */
  async prove(): Promise<void> {
    if (this.run) return;
    // A new answer replaces the old one: its counterexample must not stay open below it.
    this.closeAnswerPlayer();
    const choices = this.readChoices();
    const problem = checkChoices(choices);
    if (problem) {
      const bad = choices.writers.findIndex((w) => !Number.isInteger(w.size) || w.size < 1 || w.size > 16);
      if (bad >= 0) {
        const input = this.field<HTMLInputElement>(`size${bad}`);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
      this.showView({ status: 'error', heading: 'Check the form', sentences: [problem], rows: [] }, false);
      return;
    }
    const params = paramsOf(choices);
    const options = optionsOf(choices);
    const property = choices.property;
    this.setRunning(true);
    this.q('cancel').focus();
    this.q('result').hidden = true;
    this.q('counts').textContent = 'Starting the explorer…';
    this.updateBar(0, 'starting');
    this.announce('Exploring every schedule…');
    let lastPhase: ExploreProgress['phase'] | null = null;
    try {
      if (!this.client) {
        const { ExplorerClient } = await import('./client.ts');
        this.client ??= new ExplorerClient();
      }
      this.run = this.client.explore(params, property, options, (p) => {
        lastPhase = p.phase;
        this.q('counts').textContent = progressText(p);
        this.updateBar(limitPercent(p, options), `${p.states.toLocaleString('en-US')} states, ${(p.elapsedMs / 1000).toFixed(1)} s`);
      });
      const outcome = await this.run.done;
      if (outcome.type === 'error') {
        this.last = null;
        this.showView({ status: 'error', heading: 'The explorer could not run', sentences: [outcome.message], rows: [] }, true);
      } else {
        this.last = { params, property, result: outcome.result };
        this.showView(describeResult(outcome.result, params, property, lastPhase), true);
      }
    } catch (e) {
      this.showView({ status: 'error', heading: 'The explorer could not start', sentences: [e instanceof Error ? e.message : String(e)], rows: [] }, true);
    } finally {
      this.run = null;
      this.setRunning(false);
    }
  }

  /** Stops the search in flight (its answer is "not finished", with what was covered). */
  cancel(): void {
    if (!this.run) return;
    this.q('counts').textContent = `${this.q('counts').textContent} · cancelling…`;
    this.run.cancel();
  }

  private updateBar(pct: number, text: string): void {
    const bar = this.q('bar');
    bar.setAttribute('aria-valuenow', String(pct));
    bar.setAttribute('aria-valuetext', `${pct}% of the limits used: ${text}`);
    bar.style.setProperty('--pct', String(pct));
  }

  private announce(text: string): void {
    this.q('announce').textContent = text;
  }

  private showView(v: ResultView, moveFocus: boolean): void {
    const box = this.q('result');
    const level = Number(box.dataset.headingLevel) || 5;
    const [first, ...rest] = v.sentences;
    const lead = v.status === 'counterexample' ? `<p class="pi-message">${escapeHtml(first)}</p>` : `<p>${escapeHtml(first)}</p>`;
    const rows = v.rows.map(([k, val]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(val)}</dd></div>`).join('');
    box.innerHTML =
      `<h${level} class="pi-result-head" tabindex="-1">${escapeHtml(v.heading)}</h${level}>` +
      lead +
      rest.map((s) => `<p>${escapeHtml(s)}</p>`).join('') +
      (v.status === 'counterexample' ? '<p><button type="button" class="pi-btn pi-primary" data-part="open">Open in the player</button></p>' : '') +
      (rows ? `<dl class="pi-stats">${rows}</dl>` : '');
    box.dataset.status = v.status;
    box.hidden = false;
    this.dataset.verdict = v.status;
    this.announce(`${v.heading}. ${first}`);
    if (moveFocus) {
      // Focus was on Cancel, which is now hidden: put it on the answer instead.
      const active = document.activeElement;
      if (!active || active === document.body || this.q('cancel').contains(active) || active === this.q('prove')) {
        box.querySelector<HTMLElement>('.pi-result-head')?.focus({ preventScroll: true });
      }
    }
  }

  // ---- the player ---------------------------------------------------------------------------

  /**
   * Opens tty share text (`components/player/share-link.ts` asks the page's tty players and
   * this panel): a link naming a preset is not the panel's (`'not-mine'`: it belongs to
   * that preset's player); a link with no preset opens in the panel's player ("Shared
   * run") when that player already shows the same parameters, or, with `any` (no lesson
   * player showed them), whatever they are. Returns `'opened'`, `'not-mine'`, or the
   * decoder's (or the player's) sentence for a link that cannot be shown; nothing changes then.
   */
  async openShare(text: string, any: boolean): Promise<'opened' | 'not-mine' | string> {
    const d = decodeShare(text);
    if (!d.ok) return d.error;
    if (d.preset !== undefined) return 'not-mine';
    const shown = this.player.params;
    if (!any && !(shown && sameTtyParams(shown, d.params))) return 'not-mine';
    // The player is a light render until first needed: its building code loads first.
    await this.player.whenStarted();
    // The page reveals this panel once it says `opened`; then scroll on to its player.
    const error = this.showRun({ params: d.params, schedule: d.schedule, step: d.step, ...SHARED_RUN_HEADING }, false);
    if (error) return error;
    requestAnimationFrame(() => scrollToWidget(this.player));
    return 'opened';
  }

  /**
   * Shows `run` in the panel's player and reveals it (scrolling to it unless `scroll` is
   * false); the form takes the run's configuration when the panel can show it, so "Prove
   * it" asks about the same system. Returns an error message (and changes nothing) or null.
   */
  showRun(run: LoadRun & { params: TtyParams }, scroll = true): string | null {
    const error = this.player.load(run);
    if (error) return error;
    this.playerShowsAnswer = false;
    if (!this.run) {
      const choices = choicesFromParams(run.params, this.readChoices());
      if (choices && JSON.stringify(paramsOf(choices)) !== JSON.stringify(paramsOf(this.readChoices()))) {
        this.writeChoices(choices);
        this.markPreset(null);
      }
    }
    const box = this.q('player');
    box.hidden = false;
    if (scroll) scrollToWidget(this.player);
    this.player.querySelector<HTMLElement>('[data-part="title"]')?.focus({ preventScroll: true });
    return null;
  }

  /** Hides the player if it shows an earlier answer's counterexample (other runs stay). */
  private closeAnswerPlayer(): void {
    if (!this.playerShowsAnswer) return;
    this.playerShowsAnswer = false;
    this.q('player').hidden = true;
  }

  private async openCounterexample(): Promise<void> {
    const last = this.last;
    if (!last || last.result.verdict !== 'counterexample') return;
    await this.player.whenStarted();
    const { schedule, invariant, message } = last.result;
    const step = violationStep(last.params, schedule, invariant);
    const error = this.showRun({
      params: last.params,
      schedule,
      step,
      title: invariant === DEADLOCK ? `Counterexample: a deadlock after ${schedule.length} steps` : `Counterexample: ${schedule.length} steps`,
      description: `${message} The player is at step ${step}, where it happens; step back to see how it got there.`,
    });
    if (error) this.showView({ status: 'error', heading: 'The counterexample could not be opened', sentences: [error], rows: [] }, true);
    else this.playerShowsAnswer = true;
  }

  /** "Try it by hand first": the form's configuration in the player, no schedule. */
  async tryByHand(): Promise<void> {
    const choices = this.readChoices();
    const problem = checkChoices(choices);
    if (problem) {
      this.showView({ status: 'error', heading: 'Check the form', sentences: [problem], rows: [] }, false);
      return;
    }
    await this.player.whenStarted();
    const error = this.showRun({
      params: paramsOf(choices),
      schedule: [],
      step: 0,
      title: 'Your configuration, by hand',
      description: 'Play the scheduler: choose every step below and try to get one writer’s bytes inside another’s write, or a write() that comes back short. Then ask the explorer.',
    });
    if (error) {
      this.showView({ status: 'error', heading: 'The player could not open', sentences: [error], rows: [] }, true);
      return;
    }
    this.player.querySelector<HTMLElement>('[data-testid="scheduler-choices"] button')?.focus({ preventScroll: true });
  }
}

if (!customElements.get('prove-it')) customElements.define('prove-it', ProveItElement);
