/**
 * HTML strings for the parts of a simulation player that do not depend on the model: the
 * kernel source chip, a text-trace line, a scheduler button and the step label. Pure
 * functions with no DOM, used both by the server-rendered partial (`SimShell.astro`, via
 * each widget's `.astro` file) and by the player element (`sim-player-element.ts`) on every
 * step, so the two always say the same thing.
 */
import type { KernelSource, StepEvent } from '../../sims/core/model.ts';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** `drivers/tty/tty_io.c · iterate_tty_write() · Linux 6.12`, or null when there is no source. */
export function kernelSourceText(source: KernelSource | null | undefined): string | null {
  if (!source) return null;
  return `${source.file} · ${source.fn}() · Linux ${source.version}`;
}

/**
 * The kernel source chip for a step. A step with no kernel source gets a muted chip with
 * `noSourceText` (e.g. "outside the kernel: on the wire"), or nothing when that is empty;
 * the initial state (`event` null) gets nothing.
 */
export function sourceChipHtml(event: StepEvent | null, noSourceText = ''): string {
  const t = kernelSourceText(event?.source);
  if (!t) return event && noSourceText ? `<span class="sim-chip sim-chip-none">${esc(noSourceText)}</span>` : '';
  return `<code class="sim-chip" title="Kernel source this step models">${esc(t)}</code>`;
}

/** One line of the text trace: `<li value=index>` with the narration and the source. */
export function traceItemHtml(index: number, narration: string, event: StepEvent | null): string {
  const src = kernelSourceText(event?.source);
  return `<li value="${index}">${esc(narration)}${src ? ` <span class="sim-trace-src">(${esc(src)})</span>` : ''}</li>`;
}

/** Extra presentation of one scheduler button. */
export interface ChoiceButtonStyle {
  /** `data-kind` (for styling), e.g. `run`, `signal`, `driver`. */
  kind?: string;
  /** A CSS colour for the button's left edge (`--wc`), e.g. the writer's colour. */
  color?: string | null;
  /** Extra class names. */
  className?: string;
}

/**
 * One "play the scheduler" button. `index` is the choice's position in `enabled(state)`:
 * the player element maps a click back to the choice through it.
 */
export function choiceButtonHtml(label: string, index: number, style: ChoiceButtonStyle = {}, disabled = false): string {
  const kind = style.kind ? ` data-kind="${esc(style.kind)}"` : '';
  const color = style.color ? ` style="--wc:${esc(style.color)}"` : '';
  const cls = `sim-btn sim-choice${style.className ? ` ${esc(style.className)}` : ''}`;
  return `<button type="button" class="${cls}" data-choice="${index}"${kind}${color}${disabled ? ' disabled' : ''}>${esc(label)}</button>`;
}

/**
 * The count in the trace's summary, "Text trace (<count> so far)", for a trace that shows
 * the initial state and steps 1..`index`: `0 steps`, `1 step`, `22 steps`. It counts steps,
 * as `stepLabel` does, so "Step 22 of 22" sits beside "22 steps so far" (the list has 23
 * entries: the initial state is entry 0).
 */
export function traceCountText(index: number): string {
  return index === 1 ? '1 step' : `${index} steps`;
}

/**
 * The label above the narration: `Step 3 of 12`, `Step 12 of 12: the end of this run`, or
 * `Step 12: choose or step on` at the last known state of a run that can go on.
 */
export function stepLabel(index: number, lastIndex: number, finished: boolean): string {
  if (finished) return `Step ${index} of ${lastIndex}: the end of this run`;
  return index < lastIndex ? `Step ${index} of ${lastIndex}` : `Step ${index}: choose or step on`;
}
