/**
 * The player shell every simulation widget shares: a custom-element base class that wires
 * the server-rendered controls of `SimShell.astro` to a `PlayerCore` (the DOM-free timeline
 * in `../player-core.ts`). A widget is this shell + a model + its views: a subclass says how
 * to build its player, how to word a state, and how to draw one; the shell does the rest.
 *
 * What the shell owns (identical in every widget):
 * - the controls: Reset, Step back, Play/Pause, Step forward (those accessible names), the
 *   "Speed" select, the step scrubber (ARIA slider: arrows, PageUp/Down, Home/End, click
 *   and drag; `aria-valuetext` = the step's narration), and the shortcuts ←/→ (step) and
 *   space (play/pause) while focus is in the widget and not in a text field;
 * - "play the scheduler": one button per `enabled()` choice, labelled by `describeChoice`,
 *   inside `[data-testid="scheduler-choices"]`; a choice after scrubbing back replaces the
 *   recorded future (and says so);
 * - the caption: step label, narration, kernel source chip, in an `aria-live` region that is
 *   quiet while auto-playing and speaks again on pause;
 * - the collapsible text trace, the "Table view" toggle (`aria-pressed`), "Copy link to this
 *   step" (when the subclass can encode a share link);
 * - lazy views: `loadViews()` runs once, when the widget scrolls near the viewport or is
 *   first used, whichever comes first; until it resolves the tables show.
 * - a light render (`data-build="pending"`, `widget-html.ts`): the server sent only the
 *   header and the first narration; the element builds the rest (`buildBody`, once the code
 *   that writes it has loaded: `prepareBuild`) and starts when it comes within
 *   `BUILD_MARGIN` of the viewport, is first pointed at or focused, or is needed
 *   (`whenStarted`: a share link; `ensureStarted`: `load`). Until then it has no player.
 * - reduced motion: the subclass's views decide per step (`animate` is false when scrubbing
 *   far); `views/motion.ts` turns transitions off under `prefers-reduced-motion`.
 *
 * Host attributes kept current: `data-ready` (upgraded), `data-step`, `data-steps`,
 * `data-playing`, `data-finished`, `data-view` (`diagrams` | `table`), `data-diagrams`
 * (`pending` | `loaded` | `failed`). Each render dispatches `<eventName>` (bubbles) with
 * `detail: { index, steps, narration, ...stepDetail() }`.
 *
 * Parts are found by `[data-part="name"]` inside the host; `SimShell.astro` renders them.
 */
import { PlayerCore } from './player-core.ts';
import { shareUrl } from './share-link.ts';
import { sourceChipHtml, stepLabel, traceCountText, traceItemHtml } from './shell-html.ts';

/** Adds a listener that is removed when the widget leaves the page (what `wireExtra` is given). */
export type On = <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) => void;

/** Milliseconds per step at 1× speed (default of `SimPlayerElement.stepMs`). */
export const BASE_STEP_MS = 1000;

/**
 * How far from the viewport (above or below) a light render builds its markup: far enough
 * that a reader scrolling down never sees it grow (the build is synchronous, a few ms), near
 * enough that a lesson's players are not all built while it loads.
 */
export const BUILD_MARGIN = '1500px 0px';

/** The last build that came near the viewport; the next one waits for it (`takeBuildTurn`). */
let buildTurn: Promise<void> = Promise.resolve();

/**
 * Resolves in a task of its own, after every build queued before it: players that come near
 * the viewport together (a page's first screens) are built one per task, so the page stays
 * responsive between them instead of running one long task. A reader's click or focus and a
 * share link do not queue.
 */
function takeBuildTurn(): Promise<void> {
  buildTurn = buildTurn.then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  return buildTurn;
}

/** True when keys typed at `t` belong to a text field, not to the player's shortcuts. */
export function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.matches('input, textarea, select');
}

/**
 * The shell. `P`, `S`, `C` are the model's parameters, state and choice types.
 *
 * Subclasses implement `createPlayer`, `narrationOf`, `choiceHtml`, `renderState` and
 * `loadViews`; they may override the other `protected` hooks.
 */
export abstract class SimPlayerElement<P, S, C> extends HTMLElement {
  /** The timeline shown. Replace it with `replacePlayer` (never assign directly after start). */
  protected player!: PlayerCore<P, S, C>;
  /** Name used in error messages and console warnings, e.g. `tty-sim`. */
  protected abstract readonly widgetName: string;
  /** Name of the event dispatched after each render, e.g. `tty-sim:step`. */
  protected abstract readonly eventName: string;
  /** Milliseconds per step at 1× speed. */
  protected stepMs = BASE_STEP_MS;
  /** Shown in the choices box when nothing is enabled. */
  protected noChoicesHtml = '<p class="sim-note">Nothing can happen next: the run is over.</p>';
  /** What the choices box says when nothing is enabled at `state` (default `noChoicesHtml`). */
  protected noChoicesHtmlFor(_state: S): string {
    return this.noChoicesHtml;
  }

  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Auto-play is on (the timer may be between ticks). */
  private playing = false;
  private speed = 1;
  private io: IntersectionObserver | null = null;
  /** Keeps `--sim-bar-h` (the control bar's height) current, for the stage's height limit. */
  private barSize: ResizeObserver | null = null;
  /** Watches the diagrams' boxes and drawings, so one that starts to scroll becomes focusable. */
  private scrollSize: ResizeObserver | null = null;
  private traceShown: S[] = [];
  private abort = new AbortController();
  private dragging = false;
  private viewsLoading: Promise<void> | null = null;
  /** The light render's start button had the focus: give it to the heading once built. */
  private focusOnStart = false;
  /** Watches a light render until it builds (`BUILD_MARGIN`). */
  private buildIo: IntersectionObserver | null = null;
  private buildAbort: AbortController | null = null;

  // ---- hooks ----------------------------------------------------------------------------

  /** Builds the first player from the host's data attributes, or returns an error message to show. */
  protected abstract createPlayer(): PlayerCore<P, S, C> | string;
  /** The one-sentence narration of a state (the initial state has its own sentence). */
  protected abstract narrationOf(state: S): string;
  /** The HTML of the scheduler button for `choice`, the `index`-th enabled choice in `state`. */
  protected abstract choiceHtml(state: S, choice: C, index: number): string;
  /**
   * Draws the model-specific parts for the current state: tables, verdicts, the views if
   * loaded. `changed` is false when the same state is rendered again (skip heavy HTML).
   */
  protected abstract renderState(state: S, animate: boolean, changed: boolean): void;
  /** Loads and first draws the heavy views (d3...), once. A rejection keeps the tables. */
  protected abstract loadViews(): Promise<void>;
  /**
   * A light render only: builds the player's markup (everything but the header) for step 0
   * of `this.player`, replacing the server's placeholder. Runs once, before `setup`.
   */
  protected buildBody(): void {}
  /** Loads what `buildBody` needs (once); `canBuild` is true when it has loaded. */
  protected prepareBuild(): Promise<void> {
    return Promise.resolve();
  }
  protected canBuild(): boolean {
    return true;
  }
  /** Once, after the first player exists and the controls are enabled. */
  protected setup(): void {}
  /** Extra work when the widget wakes (comes into view, first use), after `loadViews` starts. */
  protected onWake(): void {}
  /** Extra wiring of the subclass's own parts; `on` removes its listeners on disconnect. */
  protected wireExtra(_on: On): void {}
  /**
   * Share text for "Copy link to this step" (rejects with a reason when the run cannot be
   * shared), or null when the widget has no links. Async, so the link codec can load on
   * first use instead of with the page.
   */
  protected async shareText(): Promise<string | null> {
    return null;
  }
  /** Extra fields of the step event's `detail`. */
  protected stepDetail(): Record<string, unknown> {
    return {};
  }
  /** Text of the muted source chip for a step with no kernel source ('' = no chip). */
  protected noSourceText(_state: S): string {
    return '';
  }

  // ---- parts ----------------------------------------------------------------------------

  /** The part `[data-part="name"]` inside the widget; throws naming it when missing. */
  protected el<T extends Element = HTMLElement>(name: string): T {
    const el = this.querySelector<T>(`[data-part="${name}"]`);
    if (!el) throw new Error(`<${this.widgetName}>: missing [data-part="${name}"]`);
    return el;
  }

  /** The part `[data-part="name"]`, or null. */
  protected maybeEl<T extends Element = HTMLElement>(name: string): T | null {
    return this.querySelector<T>(`[data-part="${name}"]`);
  }

  /** True while auto-play is on. */
  protected get isPlaying(): boolean {
    return this.playing;
  }

  // ---- lifecycle ------------------------------------------------------------------------

  connectedCallback(): void {
    if (this.player) {
      // Moved in the DOM: keep the timeline and views; listen again.
      this.wire();
      this.render(false);
      if (!this.viewsLoading) this.observeVisibility();
      return;
    }
    if (this.dataset.build === 'pending') {
      this.awaitBuild();
      return;
    }
    this.start();
  }

  /**
   * Starts the player now if it is still a light render waiting to be built (`load` needs
   * it at once). Returns true when the player runs; false when it could not start (the
   * narration then says why) or when the code that builds it has not loaded yet (see
   * `whenStarted`).
   */
  ensureStarted(): boolean {
    if (this.player) return true;
    if (this.dataset.build === 'pending' && !this.canBuild()) return false;
    this.stopWaiting();
    this.start();
    return Boolean(this.player);
  }

  /**
   * Loads what building needs, then `ensureStarted` (a share link, a first click). With
   * `queued`, the build waits its turn (`takeBuildTurn`): one that came near the viewport.
   */
  async whenStarted(queued = false): Promise<boolean> {
    if (this.player) return true;
    if (this.dataset.build === 'pending') {
      try {
        await this.prepareBuild();
      } catch (err) {
        console.warn(`${this.widgetName}: the player's code failed to load`, err);
        return false;
      }
      if (queued) {
        await takeBuildTurn();
        if (this.player || !this.isConnected) return Boolean(this.player);
      }
    }
    return this.ensureStarted();
  }

  /**
   * A light render: builds when it comes near the viewport, or on the first pointer or focus
   * (its "Start the player" button, shown now that scripts run, is a Tab stop: once built,
   * the focus moves from it to the player's heading).
   */
  private awaitBuild(): void {
    this.stopWaiting();
    this.buildAbort = new AbortController();
    const startButton = this.maybeEl<HTMLButtonElement>('start');
    if (startButton) startButton.hidden = false;
    const go = (e?: Event) => {
      if (startButton && e?.target instanceof Node && startButton.contains(e.target)) this.focusOnStart = true;
      void this.whenStarted(e === undefined);
    };
    this.addEventListener('pointerdown', go, { signal: this.buildAbort.signal });
    this.addEventListener('focusin', go, { signal: this.buildAbort.signal });
    startButton?.addEventListener('click', go, { signal: this.buildAbort.signal });
    if (typeof IntersectionObserver !== 'function') {
      go();
      return;
    }
    this.buildIo = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) go();
    }, { rootMargin: BUILD_MARGIN });
    this.buildIo.observe(this);
  }

  private stopWaiting(): void {
    this.buildIo?.disconnect();
    this.buildIo = null;
    this.buildAbort?.abort();
    this.buildAbort = null;
  }

  /** Creates the player, builds a light render's markup, wires the controls and renders. */
  private start(): void {
    const player = this.createPlayer();
    if (typeof player === 'string') {
      (this.maybeEl('narration') ?? this.querySelector('.sim-pending .sim-narration'))!.textContent = player;
      return;
    }
    this.player = player;
    if (this.dataset.build === 'pending') {
      this.buildBody();
      delete this.dataset.build;
    }
    this.setup();
    this.wire();
    this.querySelectorAll<HTMLButtonElement | HTMLSelectElement | HTMLInputElement>('[data-needs-js]').forEach((el) => (el.disabled = false));
    this.el('slider').setAttribute('aria-disabled', 'false');
    this.dataset.ready = 'true';
    this.dataset.playing = 'false';
    this.dataset.view = 'diagrams';
    this.render(false);
    this.observeVisibility();
    if (this.focusOnStart) {
      this.focusOnStart = false;
      this.maybeEl('title')?.focus();
    }
  }

  disconnectedCallback(): void {
    this.stopWaiting();
    if (!this.player) return;
    // Stop the clock and drop listeners; the drawn views stay for a possible re-insertion.
    this.stop();
    this.abort.abort();
    this.abort = new AbortController();
    this.io?.disconnect();
    this.io = null;
    this.barSize?.disconnect();
    this.barSize = null;
    this.scrollSize?.disconnect();
    this.scrollSize = null;
  }

  /**
   * Shows another timeline (after `load` of a run): stops playing, clears the trace, the
   * choice note and the share box, and renders. The subclass updates its own frame parts
   * (titles that depend on the parameters) before or after.
   */
  protected replacePlayer(next: PlayerCore<P, S, C>): void {
    this.stop();
    this.player = next;
    this.traceShown = [];
    this.el('trace').replaceChildren();
    this.el('choicenote').textContent = '';
    const box = this.maybeEl('linkbox');
    if (box) box.hidden = true;
    this.render(false);
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
    const copy = this.maybeEl('copylink');
    if (copy) {
      on(copy, 'click', () => void this.copyLink());
      on(this.el('linkinput'), 'focus', () => this.el<HTMLInputElement>('linkinput').select());
    }
    on(this.el('tableview'), 'click', () => {
      const table = this.dataset.view !== 'table';
      this.dataset.view = table ? 'table' : 'diagrams';
      this.el('tableview').setAttribute('aria-pressed', String(table));
      if (!table) void this.ensureViews();
    });
    on(this.el('choices'), 'click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-choice]');
      if (!btn || btn.disabled) return;
      const choice = this.player.enabled()[Number(btn.dataset.choice)];
      if (choice === undefined) return;
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

    // The stage's drawings fit in the window above the sticky control bar (player.css).
    const bar = this.maybeEl('bar');
    if (bar && typeof ResizeObserver === 'function') {
      this.barSize = new ResizeObserver(() => this.style.setProperty('--sim-bar-h', `${Math.ceil(bar.getBoundingClientRect().height)}px`));
      this.barSize.observe(bar);
    }

    // Load the heavy parts on first use, whatever comes first.
    const firstUse = () => this.wake();
    on(this, 'pointerdown', firstUse);
    on(this, 'focusin', firstUse);
    on(document, 'visibilitychange', () => {
      if (document.hidden) this.stop();
    });
    this.wireExtra(on);
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

  /** Loads the heavy views (once) and runs `onWake`. */
  protected wake(): void {
    void this.ensureViews();
    this.onWake();
  }

  /** Starts `loadViews` once; keeps `data-diagrams` current. */
  protected ensureViews(): Promise<void> {
    if (this.viewsLoading) return this.viewsLoading;
    this.viewsLoading = this.loadViews()
      .then(() => {
        this.dataset.diagrams = 'loaded';
        this.focusableScrollers();
      })
      .catch((err: unknown) => {
        this.dataset.diagrams = 'failed';
        console.warn(`${this.widgetName}: diagrams failed to load; the table view stays`, err);
      });
    return this.viewsLoading;
  }

  /**
   * Makes each diagram that scrolls sideways (phones: drawings keep 11 px text and scroll,
   * see `SimShell.astro`) reachable with the keyboard, so it can be scrolled with the arrows.
   * A box is checked again whenever it or its drawing changes size: a hidden tab has no width
   * until it is shown, and a drawing may widen as the run goes on. A box this made focusable
   * (`data-scroll-focus`) stops being a tab stop when it no longer scrolls.
   */
  protected focusableScrollers(): void {
    const check = (el: HTMLElement) => {
      const ours = el.hasAttribute('data-scroll-focus');
      if (!ours && (el.hasAttribute('tabindex') || el.querySelector('[tabindex="0"]'))) return;
      const scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !ours) {
        el.tabIndex = 0;
        el.setAttribute('data-scroll-focus', '');
      } else if (!scrolls && ours) {
        el.removeAttribute('tabindex');
        el.removeAttribute('data-scroll-focus');
      }
    };
    const boxes = [...this.querySelectorAll<HTMLElement>('.sim-diagram, .sim-zoom')];
    boxes.forEach(check);
    if (typeof ResizeObserver !== 'function') return;
    this.scrollSize?.disconnect();
    this.scrollSize = new ResizeObserver((entries) => {
      for (const e of entries) {
        const box = (e.target as Element).closest<HTMLElement>('.sim-zoom') ?? (e.target as Element).closest<HTMLElement>('.sim-diagram');
        if (box && this.contains(box)) check(box);
      }
    });
    for (const box of boxes) {
      this.scrollSize.observe(box);
      const drawing = box.firstElementChild;
      if (drawing) this.scrollSize.observe(drawing);
    }
  }

  /** "Copy link to this step": the clipboard if allowed, and always a read-only field. */
  private async copyLink(): Promise<void> {
    const box = this.el('linkbox');
    const input = this.el<HTMLInputElement>('linkinput');
    const status = this.el('linkstatus');
    const index = this.player.index;
    let url: string;
    try {
      const text = await this.shareText();
      if (text === null) throw new Error('this player has no links');
      url = shareUrl(location, text);
    } catch (e) {
      box.hidden = false;
      input.value = '';
      status.textContent = `This run cannot be shared as a link: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    this.el('linkstep').textContent = String(index);
    input.value = url;
    // "Open in the Lab": the Lab's first cells recreate this run (components/lab/from-share.ts).
    const lab = box.querySelector<HTMLAnchorElement>('a.sim-lablink') ?? box.appendChild(Object.assign(document.createElement('a'), { className: 'sim-lablink', textContent: 'Open this run in the Lab' }));
    lab.href = `${import.meta.env.BASE_URL}lab/?sim=${encodeURIComponent(url.slice(url.indexOf('#sim=') + 5))}`;
    box.hidden = false;
    status.textContent = '';
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      status.textContent = `Link copied. Whoever opens it sees step ${index} of this run.`;
    } catch {
      // No clipboard (an http:// workshop address, or permission refused): select the text.
      status.textContent = 'Copy this link (it is selected): whoever opens it sees this step.';
      input.focus();
      input.select();
    }
  }

  // ---- playing --------------------------------------------------------------------------

  /** Starts auto-play (from the start again when at the end). */
  protected play(): void {
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
    this.timer = setTimeout(() => this.tick(), this.stepMs / this.speed);
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

  /** Stops auto-play; the live region speaks again, starting with the current step. */
  protected stop(): void {
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

  /** Moves to step `i` (clamped); animates only a move of one step. */
  protected seek(i: number): void {
    this.stop();
    const before = this.player.index;
    this.player.seek(i);
    if (this.player.index !== before) this.render(Math.abs(this.player.index - before) === 1);
  }

  // ---- rendering ------------------------------------------------------------------------

  private lastRendered: S | null = null;

  /** Renders the current state everywhere: shell parts, then `renderState`, then the event. */
  protected render(animate: boolean): void {
    const p = this.player;
    const state = p.current;
    const max = p.length - 1;
    const finished = p.finished;
    const narration = this.narrationOf(state);

    this.dataset.step = String(p.index);
    this.dataset.steps = String(p.length);
    this.dataset.finished = String(finished);

    this.el('stepno').textContent = stepLabel(p.index, max, finished);
    this.el('narration').textContent = narration;
    this.el('source').innerHTML = sourceChipHtml(p.model.event(state), this.noSourceText(state));

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
    this.renderState(state, animate, state !== this.lastRendered);
    this.lastRendered = state;
    // A copied link names one step: hide it once the player shows another.
    const box = this.maybeEl('linkbox');
    if (box && !box.hidden && this.el('linkstep').textContent !== String(p.index)) box.hidden = true;

    this.dispatchEvent(
      new CustomEvent(this.eventName, {
        bubbles: true,
        detail: { index: p.index, steps: p.length, narration, ...this.stepDetail() },
      }),
    );
  }

  private renderPlayButton(): void {
    if (!this.player) return;
    const btn = this.el<HTMLButtonElement>('play');
    const playing = this.playing;
    btn.querySelector('.sim-btn-text')!.textContent = playing ? 'Pause' : 'Play';
    btn.dataset.playing = String(playing);
    btn.disabled = !playing && !this.player.canForward() && this.player.length === 1;
  }

  private renderChoices(): void {
    const p = this.player;
    const box = this.el('choicebuttons');
    const choices = p.enabled();
    const html = choices.map((c, i) => this.choiceHtml(p.current, c, i)).join('');
    const shown = html || this.noChoicesHtmlFor(p.current);
    if (box.dataset.html !== shown) {
      box.innerHTML = shown;
      box.dataset.html = shown;
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
    if (wanted.length > same) {
      const html = wanted
        .slice(same)
        .map((s, k) => traceItemHtml(same + k, this.narrationOf(s), this.player.model.event(s)))
        .join('');
      ol.insertAdjacentHTML('beforeend', html);
    }
    this.traceShown = wanted;
    this.el('tracecount').textContent = traceCountText(this.player.index);
  }
}
