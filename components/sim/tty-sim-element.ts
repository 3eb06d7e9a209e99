/**
 * `<tty-sim>`: upgrades the server-rendered tty simulation widget (`TtySim.astro`).
 *
 * The player logic lives in `player-core.ts` (no DOM); the text views are the same HTML
 * strings the server rendered (`tty-html.ts`); the d3 diagrams (`views/diagrams.ts`) and the
 * xterm terminal load late, when the widget scrolls into view or is first used.
 *
 * Attributes kept current for tests and styling:
 * - `data-step` (current index), `data-steps` (known states), `data-playing`,
 *   `data-verdict` (`running` | `atomic` | `interleaved`), `data-finished`,
 *   `data-ready` (set once upgraded), `data-diagrams` (`pending` | `loaded` | `failed`),
 *   `data-view` (`diagrams` | `table`).
 *   `data-loaded` (`true` once `load()` replaced the server-rendered run).
 * Event: `tty-sim:step` (bubbles) with `detail: { index, steps, narration, verdict }`.
 *
 * Public API: `load(run)` shows any parameters and schedule at any step (share links, the
 * Prove-it panel); `params`, `timeline`, `index` read what is shown.
 */
import { encodeShare } from '../../sims/core/share.ts';
import { ttyModel, validateParams } from '../../sims/tty/model.ts';
import { TTY_PRESETS } from '../../sims/tty/presets.ts';
import type { TtyChoice, TtyParams, TtyState } from '../../sims/tty/types.ts';
import { PlayerCore } from './player-core.ts';
import { SerialTerminal } from './serial-terminal.ts';
import { shareUrl } from './share-link.ts';
import { bufferStat, bufferTitle, drainName, farEndName, narrationOf, runsText } from './tty-format.ts';
import { bufferSvgTitle, choiceButtonHtml, paramsSummaryHtml, sourceChipHtml, swimCaptionHtml, tablesHtml, traceItemHtml, verdictHtml } from './tty-html.ts';
import { verdictOf } from './verdict.ts';
import type { Diagrams } from './views/diagrams.ts';

/** A run to show in a player: what `TtySimElement.load` takes. */
export interface LoadRun {
  params: TtyParams;
  /** Choices from the initial state (default none: the learner or the scheduler picks). */
  schedule?: readonly TtyChoice[];
  /** State to show, 0 to `schedule.length` (default 0). */
  step?: number;
  /** New heading (default: keep the current one). */
  title?: string;
  /** New description under the heading (default: keep the current one). */
  description?: string;
}

/** Milliseconds per step at 1× speed. */
const BASE_MS = 1000;

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.matches('input, textarea, select');
}

export class TtySimElement extends HTMLElement {
  private player!: PlayerCore<TtyParams, TtyState, TtyChoice>;
  private terminal!: SerialTerminal;
  private diagrams: Diagrams | null = null;
  private diagramsLoading: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Auto-play is on (the timer may be between ticks). */
  private playing = false;
  private speed = 1;
  private io: IntersectionObserver | null = null;
  private traceShown: TtyState[] = [];
  private lastRendered: TtyState | null = null;
  private abort = new AbortController();
  private dragging = false;

  private el<T extends Element = HTMLElement>(name: string): T {
    const el = this.querySelector<T>(`[data-part="${name}"]`);
    if (!el) throw new Error(`<tty-sim>: missing [data-part="${name}"]`);
    return el;
  }

  connectedCallback(): void {
    if (this.player) {
      // Moved in the DOM: keep the timeline, diagrams and terminal; listen again.
      this.wire();
      this.render(false);
      if (!this.diagramsLoading) this.observeVisibility();
      return;
    }
    const initial = this.initialRun();
    if (typeof initial === 'string') {
      this.el('narration').textContent = initial;
      return;
    }
    const seed = Number(this.dataset.seed ?? '1') || 1;
    this.player = new PlayerCore({ model: ttyModel, params: initial.params, seed, schedule: initial.schedule });
    this.terminal = new SerialTerminal(
      this.el('terminal'),
      this.el('xterm'),
      this.el('fallback'),
      farEndName(initial.params.variant),
    );
    this.wire();
    this.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('[data-needs-js]').forEach((el) => (el.disabled = false));
    this.el('slider').setAttribute('aria-disabled', 'false');
    this.dataset.ready = 'true';
    this.dataset.playing = 'false';
    this.dataset.view = 'diagrams';
    this.render(false);
    this.observeVisibility();
  }

  /** The preset's run (`data-preset`), or the parameters in `data-params`; else an error. */
  private initialRun(): { params: TtyParams; schedule?: readonly TtyChoice[] } | string {
    const key = this.dataset.preset;
    if (key !== undefined) {
      const preset = TTY_PRESETS[key];
      return preset ? preset : `Unknown simulation preset "${key}".`;
    }
    try {
      const params = JSON.parse(this.dataset.params ?? 'null') as TtyParams;
      validateParams(params);
      return { params };
    } catch (e) {
      return `This simulation's settings are not valid: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** The parameters of the run shown (null before the element is upgraded). */
  get params(): TtyParams | null {
    return this.player ? this.player.params : null;
  }
  /** Every choice of the timeline shown (may run past the current step). */
  get timeline(): readonly TtyChoice[] {
    return this.player ? this.player.choices : [];
  }
  /** The step shown, 0 = the initial state. */
  get index(): number {
    return this.player ? this.player.index : 0;
  }

  /**
   * Shows `run` in this player: its parameters, its schedule as the timeline, at `step`,
   * and optionally a new heading and description. Everything is checked first: on invalid
   * parameters, a schedule that does not replay, or a step outside `0..schedule.length`, it
   * returns a message and changes nothing. Returns null on success. Never throws.
   */
  load(run: LoadRun): string | null {
    if (!this.player) return 'This player could not start, so it cannot show another run.';
    const schedule = run.schedule ?? [];
    const step = run.step ?? 0;
    let next: PlayerCore<TtyParams, TtyState, TtyChoice>;
    try {
      validateParams(run.params);
      next = new PlayerCore({ model: ttyModel, params: run.params, seed: this.player.seed, schedule });
    } catch (e) {
      return `This run cannot be shown: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!Number.isInteger(step) || step < 0 || step > schedule.length) {
      return `This run cannot be shown: step ${step} is outside its ${schedule.length} steps.`;
    }
    this.stop();
    this.player = next;
    this.player.seek(step);
    if (run.title !== undefined) this.el('title').textContent = run.title;
    if (run.description !== undefined) this.el('desc').textContent = run.description;
    this.renderFrame();
    this.traceShown = [];
    this.el('trace').replaceChildren();
    this.el('choicenote').textContent = '';
    this.el('linkbox').hidden = true;
    this.lastRendered = null;
    this.dataset.loaded = 'true';
    this.render(false);
    return null;
  }

  /** The parts that depend on the parameters, not on the step (after `load`). */
  private renderFrame(): void {
    const s0 = this.player.states[0];
    const variant = s0.params.variant;
    this.dataset.variant = variant;
    this.el('params').innerHTML = paramsSummaryHtml(s0);
    this.el('swimcap').innerHTML = swimCaptionHtml(variant);
    this.el('swimtitle').textContent = `Swimlane: one lane per writer and one for the ${drainName(s0)}, one column per step`;
    this.el('legend-unlocked').hidden = variant !== 'no-lock';
    this.el('bufcap').textContent = bufferTitle(variant);
    this.el('buftitle').textContent = bufferSvgTitle(variant);
    const buffer = this.el<SVGSVGElement>('buffer');
    buffer.setAttribute('class', variant === 'pipe' ? 'ts-buffer ts-pipe' : 'ts-buffer ts-ring');
    this.el('farend').textContent = farEndName(variant);
    this.el('fallback').setAttribute('aria-label', farEndName(variant));
  }

  /** "Copy link to this step": the clipboard if allowed, and always a read-only field. */
  private async copyLink(): Promise<void> {
    const box = this.el('linkbox');
    const input = this.el<HTMLInputElement>('linkinput');
    const status = this.el('linkstatus');
    const p = this.player;
    let url: string;
    try {
      url = shareUrl(location, encodeShare({ model: 'tty', params: p.params, schedule: p.choices, step: p.index }));
    } catch (e) {
      box.hidden = false;
      input.value = '';
      status.textContent = `This run cannot be shared as a link: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    this.el('linkstep').textContent = String(p.index);
    input.value = url;
    box.hidden = false;
    status.textContent = '';
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      status.textContent = `Link copied. Whoever opens it sees step ${p.index} of this run.`;
    } catch {
      // No clipboard (an http:// workshop address, or permission refused): select the text.
      status.textContent = 'Copy this link (it is selected): whoever opens it sees this step.';
      input.focus();
      input.select();
    }
  }

  disconnectedCallback(): void {
    // Stop the clock and drop listeners; the drawn views stay for a possible re-insertion.
    this.stop();
    this.abort.abort();
    this.abort = new AbortController();
    this.io?.disconnect();
    this.io = null;
  }

  // ---- wiring ---------------------------------------------------------------------------

  private wire(): void {
    const signal = this.abort.signal;
    const on = <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) =>
      target.addEventListener(type, fn as EventListener, { signal });

    on(this.el('play'), 'click', () => (this.playing ? this.stop() : this.play()));
    on(this.el('forward'), 'click', () => this.userStep(() => this.player.forward()));
    on(this.el('back'), 'click', () => this.userStep(() => this.player.back()));
    on(this.el('reset'), 'click', () => {
      this.stop();
      this.player.reset();
      this.render(false);
    });
    const speed = this.el<HTMLSelectElement>('speed');
    on(speed, 'change', () => {
      this.speed = Number(speed.value) || 1;
      if (this.playing) this.schedule();
    });
    on(this.el('copylink'), 'click', () => void this.copyLink());
    on(this.el('linkinput'), 'focus', () => this.el<HTMLInputElement>('linkinput').select());
    on(this.el('tableview'), 'click', () => {
      const table = this.dataset.view !== 'table';
      this.dataset.view = table ? 'table' : 'diagrams';
      this.el('tableview').setAttribute('aria-pressed', String(table));
      if (!table) this.ensureDiagrams();
    });
    on(this.el('choices'), 'click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-choice]');
      if (!btn || btn.disabled) return;
      const choice = this.player.enabled()[Number(btn.dataset.choice)];
      if (!choice) return;
      this.stop();
      const { discarded } = this.player.choose(choice);
      this.el('choicenote').textContent = discarded
        ? `Your choice replaced ${discarded} later ${discarded === 1 ? 'step' : 'steps'}.`
        : '';
      this.render(true);
      this.refocusChoice(Number(btn.dataset.choice));
    });

    // The scrubber: ARIA slider with keyboard, click and drag.
    const slider = this.el('slider');
    on(slider, 'keydown', (e) => {
      const max = this.player.length - 1;
      const i = this.player.index;
      const big = Math.max(1, Math.round(max / 10));
      const to: Record<string, number> = {
        ArrowLeft: i - 1,
        ArrowDown: i - 1,
        ArrowRight: i + 1,
        ArrowUp: i + 1,
        PageDown: i - big,
        PageUp: i + big,
        Home: 0,
        End: max,
      };
      if (!(e.key in to)) return;
      e.preventDefault();
      e.stopPropagation();
      this.seek(to[e.key]);
    });
    const fromPointer = (e: PointerEvent) => {
      const track = this.el('track').getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (e.clientX - track.left) / Math.max(1, track.width)));
      this.seek(Math.round(f * (this.player.length - 1)));
    };
    on(slider, 'pointerdown', (e) => {
      if (e.button !== 0) return;
      this.dragging = true;
      slider.setPointerCapture?.(e.pointerId);
      slider.focus();
      fromPointer(e);
    });
    on(slider, 'pointermove', (e) => {
      if (this.dragging) fromPointer(e);
    });
    const endDrag = () => (this.dragging = false);
    on(slider, 'pointerup', endDrag);
    on(slider, 'pointercancel', endDrag);

    // Shortcuts while focus is in the widget: arrows step, space plays/pauses.
    on(this, 'keydown', (e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const t = e.target as HTMLElement;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        if (t.closest('[data-scrolls]')) return; // let scroll regions scroll
        e.preventDefault();
        this.userStep(() => (e.key === 'ArrowRight' ? this.player.forward() : this.player.back()));
      } else if (e.key === ' ' && !t.closest('button, a, summary, [role="button"]')) {
        e.preventDefault();
        if (this.playing) this.stop();
        else this.play();
      }
    });

    // Load the heavy parts on first use, whatever comes first.
    const firstUse = () => this.wake();
    on(this, 'pointerdown', firstUse);
    on(this, 'focusin', firstUse);
    on(document, 'visibilitychange', () => {
      if (document.hidden) this.stop();
    });
  }

  private observeVisibility(): void {
    if (typeof IntersectionObserver !== 'function') {
      this.wake();
      return;
    }
    this.io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.io?.disconnect();
          this.io = null;
          this.wake();
        }
      },
      { rootMargin: '200px' },
    );
    this.io.observe(this);
  }

  /** Loads the diagrams and the terminal (once). */
  private wake(): void {
    this.ensureDiagrams();
    void this.terminal.start();
  }

  private ensureDiagrams(): Promise<void> {
    if (this.diagramsLoading) return this.diagramsLoading;
    this.diagramsLoading = import('./views/diagrams.ts')
      .then(({ createDiagrams }) => {
        this.diagrams = createDiagrams({
          swimlane: this.el<SVGSVGElement>('swimlane'),
          buffer: this.el<SVGSVGElement>('buffer'),
          idPrefix: this.id || 'tty-sim',
          onSeek: (col) => this.seek(col),
        });
        this.dataset.diagrams = 'loaded';
        this.diagrams.update(this.player.states, this.player.index, false);
      })
      .catch((err: unknown) => {
        this.dataset.diagrams = 'failed';
        console.warn('tty-sim: diagrams failed to load; the table view stays', err);
      });
    return this.diagramsLoading;
  }

  // ---- playing ----------------------------------------------------------------------------

  private play(): void {
    this.wake();
    if (!this.player.canForward()) {
      // At the end: play the run again from the start, like a video player.
      this.player.seek(0);
      this.render(false);
    }
    if (!this.player.canForward()) return;
    this.playing = true;
    this.dataset.playing = 'true';
    this.el('narrationbox').setAttribute('aria-live', 'off');
    this.schedule();
    this.renderPlayButton();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), BASE_MS / this.speed);
  }

  private tick(): void {
    this.timer = null;
    if (!this.playing) return;
    if (!this.player.forward()) {
      this.stop();
      return;
    }
    if (this.player.canForward()) this.schedule();
    else this.playing = false;
    this.render(true);
    if (!this.playing) this.stop();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.playing = false;
    if (this.dataset.playing === 'true') {
      this.dataset.playing = 'false';
      // The live region is quiet while playing (as in the WAI carousel pattern, so a screen
      // reader is not flooded); on pause it speaks again, starting with the current step.
      const box = this.el('narrationbox');
      box.setAttribute('aria-live', 'polite');
      const n = this.el('narration');
      n.textContent = n.textContent;
    }
    this.renderPlayButton();
  }

  private userStep(move: () => boolean): void {
    this.stop();
    this.wake();
    if (move()) this.render(true);
  }

  private seek(i: number): void {
    this.stop();
    const before = this.player.index;
    this.player.seek(i);
    if (this.player.index !== before) this.render(Math.abs(this.player.index - before) === 1);
  }

  // ---- rendering --------------------------------------------------------------------------

  private render(animate: boolean): void {
    const p = this.player;
    const state = p.current;
    const max = p.length - 1;
    const finished = p.finished;
    const verdict = verdictOf(state, finished);
    const narration = narrationOf(state);

    this.dataset.step = String(p.index);
    this.dataset.steps = String(p.length);
    this.dataset.verdict = verdict.status;
    this.dataset.finished = String(finished);

    this.el('stepno').textContent = finished
      ? `Step ${p.index} of ${max}: the end of this run`
      : p.index < max
        ? `Step ${p.index} of ${max}`
        : `Step ${p.index}: choose or step on`;
    this.el('narration').textContent = narration;
    this.el('source').innerHTML = sourceChipHtml(state.event);
    const verdictEl = this.el('verdict');
    verdictEl.innerHTML = verdictHtml(state, verdict);
    verdictEl.dataset.status = verdict.status;
    if (state !== this.lastRendered) this.el('tables').innerHTML = tablesHtml(state);
    this.el('bufstat').textContent = bufferStat(state);
    this.el('rxsummary').textContent = `Received ${state.received.length} bytes: ${runsText(state.received)}.`;

    const slider = this.el('slider');
    slider.setAttribute('aria-valuemax', String(max));
    slider.setAttribute('aria-valuenow', String(p.index));
    slider.setAttribute('aria-valuetext', narration);
    this.el('track').style.setProperty('--pos', max > 0 ? String(p.index / max) : '0');

    this.el<HTMLButtonElement>('back').disabled = !p.canBack();
    this.el<HTMLButtonElement>('forward').disabled = !p.canForward();
    this.renderPlayButton();
    this.renderChoices();
    this.renderTrace();
    this.terminal.show(state.received);
    this.diagrams?.update(p.states, p.index, animate);
    this.lastRendered = state;
    // A copied link names one step: hide it once the player shows another.
    const box = this.el('linkbox');
    if (!box.hidden && this.el('linkstep').textContent !== String(p.index)) box.hidden = true;

    this.dispatchEvent(
      new CustomEvent('tty-sim:step', {
        bubbles: true,
        detail: { index: p.index, steps: p.length, narration, verdict: verdict.status },
      }),
    );
  }

  private renderPlayButton(): void {
    if (!this.player) return;
    const btn = this.el<HTMLButtonElement>('play');
    const playing = this.playing;
    btn.querySelector('.ts-btn-text')!.textContent = playing ? 'Pause' : 'Play';
    btn.dataset.playing = String(playing);
    btn.disabled = !playing && !this.player.canForward() && this.player.length === 1;
  }

  private renderChoices(): void {
    const p = this.player;
    const box = this.el('choicebuttons');
    const choices = p.enabled();
    const html = choices
      .map((c, i) => choiceButtonHtml(ttyModel.describeChoice(p.current, c), i, c.kind, 'writer' in c ? c.writer : null, false))
      .join('');
    if (box.dataset.html !== html) {
      box.innerHTML = html || '<p class="ts-note">Nothing can run: every writer has returned and the line is idle.</p>';
      box.dataset.html = html;
    }
    const ahead = p.length - 1 - p.index;
    this.el('futurenote').textContent =
      ahead > 0 && choices.length > 0
        ? `Choosing a different step here replaces the ${ahead === 1 ? 'recorded step' : `${ahead} recorded steps`} after it.`
        : '';
  }

  private refocusChoice(i: number): void {
    const buttons = this.el('choicebuttons').querySelectorAll<HTMLButtonElement>('button[data-choice]');
    const target = buttons[Math.min(i, buttons.length - 1)] ?? this.el<HTMLButtonElement>('reset');
    target.focus();
  }

  private renderTrace(): void {
    const ol = this.el('trace');
    const wanted = this.player.states.slice(0, this.player.index + 1);
    let same = 0;
    while (same < this.traceShown.length && same < wanted.length && this.traceShown[same] === wanted[same]) same++;
    while (ol.children.length > same) ol.lastElementChild!.remove();
    if (wanted.length > same) ol.insertAdjacentHTML('beforeend', wanted.slice(same).map(traceItemHtml).join(''));
    this.traceShown = wanted;
    this.el('tracecount').textContent = wanted.length === 1 ? '1 step' : `${wanted.length} steps`;
  }
}

if (!customElements.get('tty-sim')) customElements.define('tty-sim', TtySimElement);
