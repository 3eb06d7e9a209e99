/**
 * HTML strings for the tty widget's parts: the table view, the received bytes, the verdict,
 * the parameters in words, the terminal, the figures' captions and legends. Pure functions
 * with no DOM, used twice: by the server render (`definition.ts` through `widgetHtml`) for
 * the initial state, and by the element to re-render each step.
 */
import type { Cell, TtyState } from '../../../sims/tty/index.ts';
import { esc } from '../../player/shell-html.ts';
import {
  drainName,
  farEndName,
  letter,
  lockName,
  phaseWords,
  pipeCount,
  resultKind,
  resultText,
  ringCount,
  runsOf,
  runsText,
  timeText,
  writerColor,
} from './format.ts';

/** A coloured letter for writer `w`. */
function chip(w: number): string {
  return `<span class="ts-letter" style="--wc:${writerColor(w)}">${letter(w)}</span>`;
}

/** What the source chip says for a tty step outside the kernel. */
export const TTY_NO_SOURCE = 'outside the kernel: on the wire';

/** The atomicity verdict the widget shows (computed by the element from the model). */
export interface Verdict {
  /** `interleaved` as soon as the output order shows another writer's bytes inside a write. */
  status: 'running' | 'atomic' | 'interleaved';
  /** The badge text, e.g. "Interleaved: B's bytes land inside A's write at byte 7". */
  message: string;
}

/** The verdict line: the badge, and each writer's write(2) result once it returned. */
export function verdictHtml(state: TtyState, verdict: Verdict): string {
  const badge = `<span class="ts-badge" data-status="${verdict.status}">${esc(verdict.message)}</span>`;
  const results = state.writers
    .map((ws, w) => {
      const text = resultText(ws);
      if (text === null) return '';
      const kind = resultKind(ws, state.params.writers[w].size) ?? 'full';
      const note = kind === 'partial' ? ` <span class="sim-note">(partial: ${ws.result} of ${state.params.writers[w].size})</span>` : '';
      return `<li class="ts-result" data-kind="${kind}">${chip(w)}: <code>${esc(text)}</code>${note}</li>`;
    })
    .filter(Boolean)
    .join('');
  return `${badge}${results ? `<ul class="ts-results" aria-label="write(2) return values">${results}</ul>` : ''}`;
}

/** The received bytes as coloured spans (the plain-text terminal, also the fallback). */
export function receivedSpansHtml(cells: readonly Cell[]): string {
  if (cells.length === 0) return '<span class="ts-empty">(nothing received yet)</span>';
  return runsOf(cells)
    .map((r) => `<span class="ts-rx" style="--wc:${writerColor(r.writer)}">${letter(r.writer).repeat(r.count)}</span>`)
    .join('');
}

function writersTable(state: TtyState): string {
  const rows = state.writers
    .map((ws, w) => {
      const spec = state.params.writers[w];
      const flags = [spec.nonblock ? 'O_NONBLOCK' : 'blocking', spec.signal ? (ws.signalUsed ? 'signalled' : 'may get a signal') : '']
        .filter(Boolean)
        .join(', ');
      const res = resultText(ws);
      const kind = resultKind(ws, spec.size);
      return `<tr><th scope="row">${chip(w)} writer ${letter(w)}</th><td>${spec.size}</td><td>${esc(flags)}</td><td>${esc(phaseWords(state, w))}${ws.signalPending ? ' <span class="sim-note">(signal pending)</span>' : ''}</td><td>${ws.written}</td><td${kind ? ` data-kind="${kind}"` : ''}>${res ? `<code>${esc(res)}</code>` : '—'}</td></tr>`;
    })
    .join('');
  return `<table class="sim-table"><caption>Writers</caption><thead><tr><th scope="col">Writer</th><th scope="col">write() size</th><th scope="col">fd</th><th scope="col">Phase</th><th scope="col">Copied</th><th scope="col">Result</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function lockTable(state: TtyState): string {
  const name = lockName(state);
  if (state.params.variant === 'no-lock') {
    return `<p class="ts-lockline">No lock: this hypothetical path calls the line discipline without <code>atomic_write_lock</code>.</p>`;
  }
  const owner = state.lockOwner === null ? 'nobody' : `${chip(state.lockOwner)} writer ${letter(state.lockOwner)}`;
  const waiters = state.lockWaiters.length ? state.lockWaiters.map((w) => `${chip(w)} writer ${letter(w)}`).join(', ') : 'none';
  return `<table class="sim-table ts-lock"><caption><code>${esc(name)}</code></caption><tbody><tr><th scope="row">Owner</th><td>${owner}</td></tr><tr><th scope="row">Asleep waiting</th><td>${waiters}</td></tr></tbody></table>`;
}

/** Above this many slots the ring table lists occupied runs instead of every slot. */
const RING_TABLE_MAX = 64;

function ringTable(state: TtyState): string {
  const { buf, head, tail } = state.xmit;
  const size = state.params.xmitSize;
  const caption = `<caption><code>xmit</code> ring: ${size} slots, ${ringCount(state)} bytes queued, head ${head}, tail ${tail}</caption>`;
  if (size > RING_TABLE_MAX) {
    const cells: Cell[] = [];
    for (let i = tail; i !== head; i = (i + 1) % size) {
      const c = buf[i];
      if (c) cells.push(c);
    }
    return `<table class="sim-table">${caption}<tbody><tr><th scope="row">Queued, tail to head</th><td>${esc(runsText(cells))}</td></tr></tbody></table>`;
  }
  const idx = buf.map((_, i) => `<th scope="col">${i}</th>`).join('');
  const bytes = buf.map((c) => (c ? `<td>${chip(c.writer)}<span class="sim-vh"> byte ${c.index + 1}</span></td>` : '<td class="ts-free">·</td>')).join('');
  const ptr = buf
    .map((_, i) => {
      const p = [i === head ? 'head' : '', i === tail ? 'tail' : ''].filter(Boolean).join(', ');
      return `<td>${p}</td>`;
    })
    .join('');
  return `<div class="sim-scroll" data-scrolls tabindex="0" role="group" aria-label="xmit ring table (scrolls sideways)"><table class="sim-table ts-ring">${caption}<thead><tr><th scope="col">Slot</th>${idx}</tr></thead><tbody><tr><th scope="row">Byte</th>${bytes}</tr><tr><th scope="row">Pointer</th>${ptr}</tr></tbody></table></div>`;
}

function pipeTable(state: TtyState): string {
  const { pipeSlots, pipeBuf } = state.params;
  const rows = state.pipe.bufs
    .map((b, i) => `<tr><th scope="row">${i === 0 ? 'oldest (tail)' : i === state.pipe.bufs.length - 1 ? 'newest (head)' : i}</th><td>${b.cells.length} of ${pipeBuf}${b.offset ? ` (${b.offset} already read)` : ''}</td><td>${esc(runsText(b.cells))}</td></tr>`)
    .join('');
  const body = rows || `<tr><td colspan="3">empty</td></tr>`;
  return `<table class="sim-table"><caption>Pipe: ${state.pipe.bufs.length} of ${pipeSlots} buffers in use, ${pipeCount(state)} bytes queued</caption><thead><tr><th scope="col">Buffer</th><th scope="col">Bytes</th><th scope="col">Contents</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The received bytes for the table view: the letters, and the same as runs in words. */
function receivedTable(state: TtyState): string {
  const who = state.params.variant === 'pipe' ? 'the reader' : 'the far end of the serial line';
  return `<table class="sim-table"><caption>Received by ${who}: ${state.received.length} bytes, at ${esc(timeText(state.time_ns))} of line time</caption><tbody><tr><th scope="row">Bytes</th><td class="sim-mono">${receivedSpansHtml(state.received)}</td></tr><tr><th scope="row">As runs</th><td>${esc(runsText(state.received))}</td></tr></tbody></table>`;
}

/** The whole table view of one state. */
export function tablesHtml(state: TtyState): string {
  const buffer = state.params.variant === 'pipe' ? pipeTable(state) : ringTable(state);
  return `${writersTable(state)}${lockTable(state)}${buffer}${receivedTable(state)}`;
}

/** A one-line summary of the parameters, e.g. for the widget's header. */
export function paramsSummaryHtml(state: TtyState): string {
  const p = state.params;
  const writers = p.writers
    .map((w, i) => `${chip(i)} ${w.size === 1 ? '1 byte' : `${w.size} bytes`}${w.nonblock ? ', O_NONBLOCK' : ''}${w.signal ? ', may be signalled' : ''}`)
    .join('; ');
  const path =
    p.variant === 'pipe'
      ? `pipe, PIPE_BUF ${p.pipeBuf}, ${p.pipeSlots} buffers`
      : `${p.variant === 'no-lock' ? 'tty without atomic_write_lock (hypothetical)' : 'tty'}, chunk ${p.chunkSize}, xmit ${p.xmitSize} slots, ${p.baud} baud`;
  return `<span>${esc(path)}</span> · <span>${writers}</span>`;
}

/** The swimlane's caption for a variant (plain text): who holds which lock, step by step. */
export function swimCaptionText(variant: TtyState['params']['variant']): string {
  if (variant === 'no-lock') return 'Who is inside write(), step by step: no atomic_write_lock on this path';
  return `Who holds ${variant === 'pipe' ? 'pipe->mutex' : 'atomic_write_lock'}, step by step`;
}

/** The swimlane SVG's accessible title. */
export function swimTitleText(state: TtyState): string {
  return `Swimlane: one lane per writer and one for the ${drainName(state)}, one column per step`;
}

/** The swimlane's legend (HTML): the "copying without a lock" key only for the `no-lock` variant. */
export function swimLegendHtml(variant: TtyState['params']['variant']): string {
  const item = (swatch: string, words: string) => `<li>${swatch}${words}</li>`;
  return (
    '<ul class="ts-legend">' +
    item('<span class="ts-sw ts-sw-holds" aria-hidden="true"></span>', 'holds the lock') +
    item('<span class="ts-sw ts-sw-sleep" aria-hidden="true"></span>', 'asleep (waiting for the lock or for room)') +
    (variant === 'no-lock' ? item('<span class="ts-sw ts-sw-unlocked" aria-hidden="true"></span>', 'copying without a lock') : '') +
    item('<span class="ts-sym ts-sym-signal" aria-hidden="true">◆</span>', 'signal') +
    item('<span class="ts-sym ts-sym-return" aria-hidden="true">●</span>', 'write() returns') +
    item('<span class="ts-sw ts-sw-cursor" aria-hidden="true"></span>', 'current step') +
    '</ul>'
  );
}

/** The buffer SVG's accessible title for a variant. */
export function bufferSvgTitle(variant: TtyState['params']['variant']): string {
  return variant === 'pipe' ? 'The pipe’s buffers (pages)' : 'The xmit ring buffer: head is where uart_write copies next, tail is what the UART sends next';
}

/**
 * The far end as a terminal (the inside of part `terminal`): its name, the xterm host
 * (filled when xterm loads), the plain-text fallback with the received bytes, and a
 * sentence for screen readers. The element keeps the bytes current (`serial-terminal.ts`).
 */
export function terminalHtml(state: TtyState): string {
  const farEnd = esc(farEndName(state.params.variant));
  return (
    `<p class="ts-term-head"><span class="ts-dot" aria-hidden="true"></span><span data-part="farend">${farEnd}</span></p>` +
    '<div class="ts-xterm" data-part="xterm" hidden></div>' +
    `<pre class="ts-fallback" data-part="fallback" aria-label="${farEnd}">${receivedSpansHtml(state.received)}</pre>` +
    `<p class="sim-vh" data-part="rxsummary">${esc(rxSummaryText(state))}</p>`
  );
}

/** "Received 7 bytes: A×4, B×3." (the terminal's words for screen readers). */
export function rxSummaryText(state: TtyState): string {
  return `Received ${state.received.length} bytes: ${runsText(state.received)}.`;
}
