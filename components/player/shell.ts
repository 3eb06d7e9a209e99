/**
 * The markup of a simulation player, as a pure HTML string (no DOM): the heading and
 * description, the stage (diagram tabs, the widget's views, its tables), the control bar
 * (step label, narration, kernel source chip in an aria-live region; Reset, Step back,
 * Play/Pause, Step forward, Speed, Table view, Copy link to this step; the step scrubber),
 * the share-link box, "play the scheduler" choices, and the collapsible text trace. It means
 * something before JavaScript: the widget's views and tables show the initial state.
 *
 * The control bar sticks to the bottom of the window while the player is on screen, and
 * the stage's drawings are limited to the height left above it (`player.css`), so the
 * controls, the narration and the diagram of this step are seen together on a laptop and
 * on a phone.
 *
 * Every part the element (`sim-player-element.ts`) reads carries `data-part`; the list is
 * `SHELL_PARTS` (the contract test checks the markup has each).
 */
import { esc, traceCountText } from './shell-html.ts';

/** The parts the shell renders and the player element reads. */
export const SHELL_PARTS = [
  'title', 'desc', 'stage', 'views', 'bar', 'narrationbox', 'stepno', 'narration', 'source',
  'reset', 'back', 'play', 'forward', 'speed', 'tableview', 'slider', 'track',
  'choices', 'choicebuttons', 'futurenote', 'choicenote', 'trace', 'tracecount',
] as const;

/** The parts of the share box (only when the player shares). */
export const SHARE_PARTS = ['copylink', 'linkbox', 'linkstep', 'linkinput', 'linkstatus'] as const;

/** What `shellHtml` puts together. */
export interface ShellOptions {
  /** Prefix of the ids inside (unique on the page). */
  uid: string;
  title: string;
  description: string;
  /** Level of the widget's heading (default 3). */
  headingLevel?: 2 | 3 | 4 | 5;
  /** Known states of the initial timeline (the scrubber's max is `steps - 1`). */
  steps: number;
  /** The initial state's narration (plain text). */
  narration: string;
  /** The initial state's source chip (HTML, usually empty). */
  sourceHtml?: string;
  /** The initial scheduler buttons (HTML, rendered disabled). */
  choicesHtml: string;
  /** The initial text trace (HTML `<li>`s). */
  traceHtml: string;
  /** The prompt above the scheduler buttons (HTML). */
  schedPromptHtml?: string;
  /** Offer "Copy link to this step" (default true). */
  shareable?: boolean;
  /** The `<noscript>` note (plain text). */
  noscript?: string;
  /** HTML under the title (parameters in words). */
  headerHtml?: string;
  /** HTML of the stage: tabs, figures (class `sim-diagram`), tables (class `sim-tables`). */
  stageHtml: string;
  /** HTML under the caption, inside the control bar (a verdict). */
  captionHtml?: string;
  /** HTML after the scheduler (reports, notes). */
  footerHtml?: string;
}


/**
 * A control button. Its icon is drawn by `player.css` (a mask on `::before`, or `::after` when
 * `after`, chosen by `data-part`), so the markup carries no SVG: one copy of each icon per
 * site, not per player. The visible label is also the accessible name (phones hide some labels).
 */
function button(part: string, label: string, opts: { primary?: boolean; toggle?: boolean; extra?: string } = {}): string {
  const cls = `sim-btn${opts.primary ? ' sim-btn-primary' : ''}${opts.toggle ? ' sim-btn-toggle' : ''}`;
  return `<button type="button" class="${cls}" data-part="${part}" data-needs-js disabled${opts.extra ?? ''}><span class="sim-btn-text">${esc(label)}</span></button>`;
}

/** The player's header: the heading (`title`), the description (`desc`) and the header HTML. */
export function shellHeadHtml(o: Pick<ShellOptions, 'uid' | 'title' | 'description' | 'headingLevel' | 'headerHtml'>): string {
  const h = `h${o.headingLevel ?? 3}`;
  return `<header class="sim-head"><${h} id="${esc(o.uid)}-title" class="sim-title" data-part="title" tabindex="-1">${esc(o.title)}</${h}><p class="sim-desc" data-part="desc">${esc(o.description)}</p>${o.headerHtml ?? ''}</header>`;
}

/** The whole player `<section>` (the host element wraps it). */
export function shellHtml(o: ShellOptions): string {
  const uid = esc(o.uid);
  const last = o.steps - 1;
  const shareable = o.shareable ?? true;
  const prompt = o.schedPromptHtml ?? '<strong>Play the scheduler:</strong> choose what happens next.';
  const noscript = o.noscript ?? 'The player needs JavaScript; the drawings and tables show the starting state.';
  return `<section class="sim" aria-labelledby="${uid}-title">
${shellHeadHtml(o)}
<div class="sim-stage" data-part="stage">${o.stageHtml}</div>
<div class="sim-bar" data-part="bar">
<div class="sim-caption"><div data-part="narrationbox" aria-live="polite" aria-atomic="true"><p class="sim-stepno" data-part="stepno">Step 0 of ${last}</p><p class="sim-narration" data-part="narration">${esc(o.narration)}</p></div><p class="sim-source" data-part="source">${o.sourceHtml ?? ''}</p></div>${o.captionHtml ?? ''}
<div class="sim-controls" role="group" aria-label="Player controls">${button('reset', 'Reset')}${button('back', 'Step back')}${button('play', 'Play', { primary: true })}${button('forward', 'Step forward')}<label class="sim-speed"><span>Speed</span><select data-part="speed" data-needs-js disabled><option value="0.5">0.5×</option><option value="1" selected>1×</option><option value="2">2×</option><option value="4">4×</option></select></label>${button('tableview', 'Table view', { toggle: true, extra: ' aria-pressed="false"' })}${shareable ? button('copylink', 'Copy link to this step') : ''}</div>
<div class="sim-scrub"><span class="sim-scrub-label" id="${uid}-scrub-label">Step</span><div class="sim-slider" data-part="slider" role="slider" tabindex="0" aria-labelledby="${uid}-scrub-label" aria-valuemin="0" aria-valuemax="${last}" aria-valuenow="0" aria-valuetext="${esc(o.narration)}" aria-disabled="true"><div class="sim-track" data-part="track" style="--pos:0"><div class="sim-track-fill"></div><div class="sim-thumb"></div></div></div></div>
</div>
${shareable ? `<div class="sim-linkbox" data-part="linkbox" hidden><label class="sim-linklabel" for="${uid}-link">Link to step <span data-part="linkstep">0</span> of this run</label><input id="${uid}-link" class="sim-linkinput" data-part="linkinput" type="text" readonly spellcheck="false"><p class="sim-note" data-part="linkstatus" role="status"></p></div>` : ''}
<div class="sim-sched" role="group" aria-labelledby="${uid}-sched-title" data-part="choices" data-testid="scheduler-choices"><p class="sim-sched-title" id="${uid}-sched-title">${prompt}</p><div class="sim-choice-buttons" data-part="choicebuttons">${o.choicesHtml}</div><p class="sim-note" data-part="futurenote"></p><p class="sim-note" data-part="choicenote"></p></div>
${o.footerHtml ?? ''}
<details class="sim-trace"><summary>Text trace (<span data-part="tracecount">${traceCountText(0)}</span> so far)</summary><ol start="0" data-part="trace">${o.traceHtml}</ol></details>
<noscript><p class="sim-note">${esc(noscript)}</p></noscript>
</section>`;
}
