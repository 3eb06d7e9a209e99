/**
 * The buffer diagram of the tty widget as a DOM-free `Scene` (`components/scene/scene.ts`),
 * drawn on the server by `sceneToSvg` and in the browser by `drawScene`:
 *
 * - a tty (`kernel`, `no-lock`): the `xmit` ring (`struct circ_buf` of `struct
 *   uart_state`, drivers/tty/serial/serial_core.c, Linux 6.12) as a circle of `xmitSize`
 *   slots coloured by the writer whose byte sits there, with `head` (where `uart_write`
 *   copies next) and `tail` (what the UART sends next);
 * - a pipe: the pipe's buffers (`struct pipe_buffer`, fs/pipe.c) as a row of `pipeSlots`
 *   pages, each showing the bytes it holds at their page offsets (bytes the reader already
 *   consumed greyed), with the reader's `tail` and the writer's `head`.
 *
 * The scene's size depends only on the parameters (fixed for a whole run); its width is
 * `SCENE_W`. Every text is at least 12 units tall (`tty.css`), so a phone draws the scene at
 * `BUFFER_PHONE_MIN_W` px or wider to keep it at 11 px.
 */
import type { Cell, TtyState } from '../../../sims/tty/index.ts';
import { phoneMinWidth, SCENE_W, type Scene, type Shape } from '../../scene/scene.ts';
import { letter, pipeCount, ringCount, runsOf, runsText, writerColor } from './format.ts';

/** The smallest text of the buffer scene, in SVG units (`.rv-*` font sizes in `tty.css`). */
export const BUFFER_MIN_FONT = 12;
/** Phones: the buffer scene's minimum width in CSS px, so its smallest text stays ≥ 11 px. */
export const BUFFER_PHONE_MIN_W = phoneMinWidth(BUFFER_MIN_FONT);

/** At most this many drawn slots; a larger ring is drawn with each slot standing for several. */
const MAX_SLOTS = 64;
/** Letters in the slots only up to this many drawn slots (smaller slots cannot hold 12-unit text). */
const MAX_LETTER_SLOTS = 32;
/** Half the height of a 12-unit text: added to a text's centre to place its baseline. */
const HALF_TEXT = 4.2;

const RING_H = 352;
const CX = SCENE_W / 2;
const CY = 170;
const R_OUT = 112;
const R_IN = 78;

/** Rounds to 1 decimal (stable, short SVG numbers: a tenth of a unit is far below a pixel). */
const r2 = (n: number): number => Math.round(n * 10) / 10;

/** Width of a text of 12-unit monospace (0.6 em a character), in SVG units. */
export function textWidth(text: string, size = BUFFER_MIN_FONT): number {
  return text.length * size * 0.6;
}

/** `x` moved so a centred text of `text` stays 2 units inside the scene's width. */
function clampCentre(x: number, text: string): number {
  const half = textWidth(text) / 2 + 2;
  return r2(Math.min(SCENE_W - half, Math.max(half, x)));
}

/** The point at angle `a` (radians, clockwise from 12 o'clock) and radius `r` around the centre. */
function polar(a: number, r: number): [number, number] {
  return [r2(CX + r * Math.sin(a)), r2(CY - r * Math.cos(a))];
}

/** An annular sector from angle `a0` to `a1` (radians, clockwise from 12 o'clock). */
function sectorPath(a0: number, a1: number, rIn: number, rOut: number): string {
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const [x0, y0] = polar(a0, rOut);
  const [x1, y1] = polar(a1, rOut);
  const [x2, y2] = polar(a1, rIn);
  const [x3, y3] = polar(a0, rIn);
  return `M${x0},${y0}A${rOut},${rOut} 0 ${large} 1 ${x1},${y1}L${x2},${y2}A${rIn},${rIn} 0 ${large} 0 ${x3},${y3}Z`;
}

/** The bytes queued in the ring, oldest (tail) first. */
function queuedCells(state: TtyState): Cell[] {
  const size = state.params.xmitSize;
  const cells: Cell[] = [];
  for (let i = state.xmit.tail; i !== state.xmit.head; i = (i + 1) % size) {
    const c = state.xmit.buf[i];
    if (c) cells.push(c);
  }
  return cells;
}

/** A pointer (`head` outside the ring, `tail` inside) at angle `a`: its line, arrow head and label. */
function pointer(name: 'head' | 'tail', a: number): Shape[] {
  const outside = name === 'head';
  const r0 = outside ? R_OUT + 4 : R_IN - 4; // arrow tip, at the ring
  const r1 = outside ? R_OUT + 30 : R_IN - 24;
  const rLabel = outside ? R_OUT + 42 : R_IN - 35;
  const dir = outside ? 1 : -1;
  const [tx, ty] = polar(a, r0);
  const [bx, by] = polar(a, r0 + dir * 8);
  const [ex, ey] = polar(a, r1);
  // The arrow head's base: 5 units either side of the pointer's line.
  const px = r2(Math.cos(a) * 5);
  const py = r2(Math.sin(a) * 5);
  const [lx, ly] = polar(a, rLabel);
  const cls = `rv-ptr rv-${name}`;
  return [
    { kind: 'path', key: `path:${name}-line`, cls: `${cls} rv-ptr-line`, d: `M${ex},${ey}L${bx},${by}` },
    { kind: 'path', key: `path:${name}-arrow`, cls: `${cls} rv-ptr-arrow`, d: `M${r2(bx - px)},${r2(by - py)}L${tx},${ty}L${r2(bx + px)},${r2(by + py)}Z` },
    { kind: 'text', key: `text:${name}-label`, cls: `${cls} rv-ptr-label`, x: lx, y: r2(ly + HALF_TEXT), text: name, anchor: 'middle' },
  ];
}

/** The xmit ring of `state` (a tty variant). */
export function ringScene(state: TtyState): Scene {
  const size = state.params.xmitSize;
  const n = Math.min(size, MAX_SLOTS);
  const per = size / n;
  const step = (2 * Math.PI) / n;
  const pad = n > 32 ? 0.004 : 0.012;
  const shapes: Shape[] = [];
  const letters: Shape[] = [];
  for (let i = 0; i < n; i++) {
    let cell: Cell | null = null;
    for (let k = 0; k < per && !cell; k++) cell = state.xmit.buf[i * per + k];
    const a0 = i * step + pad / 2;
    const a1 = (i + 1) * step - pad / 2;
    shapes.push({ kind: 'path', key: `path:slot-${i}`, cls: cell ? 'rv-slot rv-full' : 'rv-slot', ...(cell ? { color: writerColor(cell.writer) } : {}), d: sectorPath(a0, a1, R_IN, R_OUT) });
    if (cell && n <= MAX_LETTER_SLOTS) {
      const [x, y] = polar((a0 + a1) / 2, (R_IN + R_OUT) / 2);
      letters.push({ kind: 'text', key: `text:slot-${i}`, cls: 'rv-letter', x, y: r2(y + HALF_TEXT), text: letter(cell.writer), anchor: 'middle' });
    }
  }
  shapes.push(...letters);
  shapes.push({ kind: 'text', key: 'text:center-title', cls: 'rv-center-title', x: CX, y: CY - 5, text: 'xmit', anchor: 'middle' });
  shapes.push({ kind: 'text', key: 'text:center-count', cls: 'rv-center-count', x: CX, y: CY + 15, text: `${ringCount(state)}/${size - 1}`, anchor: 'middle' });
  const angleOf = (slot: number): number => (Math.floor(slot / per) + 0.5) * step;
  shapes.push(...pointer('head', angleOf(state.xmit.head)), ...pointer('tail', angleOf(state.xmit.tail)));
  shapes.push({ kind: 'text', key: 'text:stat', cls: 'rv-stat', x: CX, y: RING_H - 8, text: `${ringCount(state)} of ${size - 1} bytes · head ${state.xmit.head} · tail ${state.xmit.tail}`, anchor: 'middle' });
  const desc = `The xmit ring has ${size} slots and holds ${ringCount(state)} bytes (${runsText(queuedCells(state))}), tail ${state.xmit.tail} to head ${state.xmit.head}.`;
  return { width: SCENE_W, height: RING_H, shapes, desc };
}

/** Sizes of the pipe row, from the parameters only. */
function pipeGeometry(state: TtyState) {
  const slots = state.params.pipeSlots;
  const pageBytes = state.params.pipeBuf;
  const gap = 6;
  const pw = Math.min(160, (SCENE_W - 20 - gap * (slots - 1)) / slots);
  const x0 = (SCENE_W - (pw * slots + gap * (slots - 1))) / 2;
  const small = pageBytes <= 64;
  const cols = small ? Math.min(pageBytes, Math.max(1, Math.floor(pw / 16))) : 1;
  const rows = small ? Math.ceil(pageBytes / cols) : 1;
  const cellW = (pw - 6) / cols;
  const cellH = small ? Math.min(cellW, 30) : 60;
  const ph = rows * cellH + 6;
  const top = 6;
  return { slots, pageBytes, gap, pw, x0, small, cols, cellW, cellH, ph, top, height: Math.ceil(top + ph + 72) };
}

/** The pipe's buffers of `state` (the pipe variant). */
export function pipeScene(state: TtyState): Scene {
  const g = pipeGeometry(state);
  const shapes: Shape[] = [];
  const showLetters = g.cellW >= 14 && g.cellH >= 14;
  for (let i = 0; i < g.slots; i++) {
    const px = g.x0 + i * (g.pw + g.gap);
    const pb = state.pipe.bufs[i];
    const cells = pb?.cells ?? [];
    const offset = pb?.offset ?? 0;
    shapes.push({ kind: 'rect', key: `rect:page-${i}`, cls: 'rv-page-frame', x: r2(px), y: g.top, w: r2(g.pw), h: r2(g.ph), rx: 4 });
    if (g.small) {
      // Bytes sit at page positions offset .. offset + len; the reader consumed the ones before.
      for (let k = 0; k < g.pageBytes; k++) {
        const cell = (k >= offset ? cells[k - offset] : undefined) ?? null;
        const read = !!pb && k < offset;
        const x = r2(px + 3 + (k % g.cols) * g.cellW);
        const y = r2(g.top + 3 + Math.floor(k / g.cols) * g.cellH);
        const cls = cell ? 'rv-cell rv-full' : read ? 'rv-cell rv-read' : 'rv-cell';
        shapes.push({ kind: 'rect', key: `rect:p${i}-c${k}`, cls, ...(cell ? { color: writerColor(cell.writer) } : {}), x, y, w: r2(Math.max(1, g.cellW - 1.5)), h: r2(Math.max(1, g.cellH - 1.5)), rx: 2 });
        if (cell && showLetters) {
          shapes.push({ kind: 'text', key: `text:p${i}-c${k}`, cls: 'rv-letter', x: r2(x + g.cellW / 2 - 0.75), y: r2(y + g.cellH / 2 - 0.75 + HALF_TEXT), text: letter(cell.writer), anchor: 'middle' });
        }
      }
    } else {
      // Large pages: a stacked bar of the writers' runs.
      let from = offset;
      let j = 0;
      for (const run of runsOf(cells)) {
        shapes.push({ kind: 'rect', key: `rect:p${i}-run${j++}`, cls: 'rv-cell rv-full', color: writerColor(run.writer), x: r2(px + 3 + (from / g.pageBytes) * (g.pw - 6)), y: g.top + 3, w: r2(Math.max(1, (run.count / g.pageBytes) * (g.pw - 6))), h: g.cellH });
        from += run.count;
      }
    }
    // Page labels where they fit: every page, or every k-th when the pages are narrow.
    const label = `buf ${i}`;
    const every = Math.ceil((textWidth(`buf ${g.slots - 1}`) + 4) / (g.pw + g.gap));
    if (i % every === 0) shapes.push({ kind: 'text', key: `text:page-${i}`, cls: 'rv-page-label', x: clampCentre(px + g.pw / 2, label), y: r2(g.top + g.ph + 16), text: label, anchor: 'middle' });
  }
  const used = state.pipe.bufs.length;
  const labelY = r2(g.top + g.ph + 36);
  const headSlot = Math.min(used, g.slots - 1);
  const short = g.pw < 110;
  const tailText = short ? 'tail ↑' : 'tail ↑ (reader)';
  const headText = used >= g.slots ? 'full' : short ? 'head ↑' : 'head ↑ (writer)';
  const tailX = clampCentre(g.x0 + g.pw / 2, tailText);
  const headX = clampCentre(g.x0 + headSlot * (g.pw + g.gap) + g.pw / 2, headText);
  // The head's label goes one row down when it would overlap the tail's.
  const clash = used > 0 && Math.abs(headX - tailX) < (textWidth(tailText) + textWidth(headText)) / 2 + 4;
  if (used > 0) shapes.push({ kind: 'text', key: 'text:tail', cls: 'rv-ptr-label rv-pipe-ptr', x: tailX, y: labelY, text: tailText, anchor: 'middle' });
  shapes.push({ kind: 'text', key: 'text:head', cls: 'rv-ptr-label rv-pipe-ptr', x: headX, y: clash ? r2(labelY + 14) : labelY, text: headText, anchor: 'middle' });
  const p = state.params;
  shapes.push({ kind: 'text', key: 'text:stat', cls: 'rv-stat', x: CX, y: g.height - 6, text: `${pipeCount(state)} bytes in ${used} of ${p.pipeSlots} buffers · PIPE_BUF ${p.pipeBuf}`, anchor: 'middle' });
  const parts = state.pipe.bufs.map((b, i) => `buffer ${i}: ${runsText(b.cells)}`).join('; ');
  const desc = `The pipe uses ${used} of ${p.pipeSlots} page buffers and holds ${pipeCount(state)} bytes${parts ? ` (${parts})` : ''}.`;
  return { width: SCENE_W, height: g.height, shapes, desc };
}

/** The buffer scene of `state`: the pipe row for a pipe, the xmit ring otherwise. */
export function bufferScene(state: TtyState): Scene {
  return state.params.variant === 'pipe' ? pipeScene(state) : ringScene(state);
}
