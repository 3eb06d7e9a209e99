/**
 * The buffer diagram. For a tty: the `xmit` ring as a circle of `xmitSize` slots coloured by
 * writer, with the letters in the slots and the `head` (where `uart_write` copies next) and
 * `tail` (what the UART sends next) pointers. For a pipe: the pipe's buffers as a row of
 * pages, each filled with the bytes it holds.
 *
 * It draws the state it is given; it never owns state.
 */
import { select, type Selection } from 'd3-selection';
import { arc } from 'd3-shape';
import type { Cell, TtyState } from '../../../sims/tty/types.ts';
import { letter, pipeCount, ringCount, runsText, writerColor } from '../tty-format.ts';
import { maybeTransition, reducedMotion, STEP_MS } from '../../scene/motion.ts';

const SIZE = 330;
const CX = SIZE / 2;
const CY = SIZE / 2;
const R_OUT = 112;
const R_IN = 78;
/** At most this many drawn slots; a larger ring is drawn with each slot standing for several. */
const MAX_SLOTS = 64;

export interface BufferView {
  update(state: TtyState, animate: boolean): void;
  /** A sentence describing the buffer, for the SVG's <desc>. */
  describe(state: TtyState): string;
}

interface SlotDatum {
  i: number;
  cell: Cell | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySel = Selection<any, any, any, any>;

function slotFill(d: SlotDatum): string {
  return d.cell ? writerColor(d.cell.writer) : 'var(--surface, #fff)';
}

/** Creates the xmit ring view inside `svgEl`. */
export function createRing(svgEl: SVGSVGElement): BufferView {
  const svg = select(svgEl).attr('viewBox', `0 0 ${SIZE} ${SIZE}`);
  const g = svg.append('g').attr('class', 'rv-root');
  const slotsG = g.append('g').attr('class', 'rv-slots');
  const center = g.append('g').attr('class', 'rv-center');
  center.append('text').attr('class', 'rv-center-title').attr('x', CX).attr('y', CY - 5).attr('text-anchor', 'middle').text('xmit');
  const count = center.append('text').attr('class', 'rv-center-count').attr('x', CX).attr('y', CY + 13).attr('text-anchor', 'middle');
  const head = pointer(g, 'head', R_OUT + 4, R_OUT + 30, R_OUT + 42);
  const tail = pointer(g, 'tail', R_IN - 4, R_IN - 24, R_IN - 35);
  let angles = { head: 0, tail: 0 };

  function pointer(parent: AnySel, name: string, r0: number, r1: number, rLabel: number) {
    const pg = parent.append('g').attr('class', `rv-ptr rv-${name}`);
    const rot = pg.append('g').attr('class', 'rv-rot');
    rot.append('line').attr('x1', CX).attr('x2', CX).attr('y1', CY - r1).attr('y2', CY - r0);
    const dir = r1 > r0 ? 1 : -1; // arrow head at r0, pointing at the ring
    rot
      .append('path')
      .attr('d', `M${CX - 5},${CY - r0 - dir * 8} L${CX},${CY - r0} L${CX + 5},${CY - r0 - dir * 8} Z`);
    const label = pg.append('text').attr('class', 'rv-ptr-label').attr('text-anchor', 'middle').attr('dy', '0.35em').text(name);
    return { g: pg, rot, label, rLabel };
  }

  function place(p: ReturnType<typeof pointer>, from: number, to: number, animate: boolean) {
    const labelAt = (a: number) => {
      const rad = (a * Math.PI) / 180;
      return [CX + p.rLabel * Math.sin(rad), CY - p.rLabel * Math.cos(rad)];
    };
    // Rotate the short way round.
    let delta = ((to - from) % 360 + 540) % 360 - 180;
    if (Math.abs(delta) < 1e-9) delta = 0;
    const end = from + delta;
    if (!animate || reducedMotion() || delta === 0) {
      p.rot.attr('transform', `rotate(${end},${CX},${CY})`);
      const [lx, ly] = labelAt(end);
      p.label.attr('x', lx).attr('y', ly);
      return;
    }
    p.rot
      .transition()
      .duration(STEP_MS)
      .attrTween('transform', () => (t: number) => `rotate(${from + delta * t},${CX},${CY})`);
    p.label
      .transition()
      .duration(STEP_MS)
      .attrTween('x', () => (t: number) => String(labelAt(from + delta * t)[0]))
      .attrTween('y', () => (t: number) => String(labelAt(from + delta * t)[1]));
  }

  return {
    describe(state) {
      const size = state.params.xmitSize;
      const cells: Cell[] = [];
      for (let i = state.xmit.tail; i !== state.xmit.head; i = (i + 1) % size) {
        const c = state.xmit.buf[i];
        if (c) cells.push(c);
      }
      return `The xmit ring has ${size} slots and holds ${ringCount(state)} bytes (${runsText(cells)}), tail ${state.xmit.tail} to head ${state.xmit.head}.`;
    },
    update(state, animate) {
      const size = state.params.xmitSize;
      const n = Math.min(size, MAX_SLOTS);
      const per = size / n;
      const data: SlotDatum[] = Array.from({ length: n }, (_, i) => {
        let cell: Cell | null = null;
        for (let k = 0; k < per && !cell; k++) cell = state.xmit.buf[i * per + k];
        return { i, cell };
      });
      const step = (2 * Math.PI) / n;
      const arcGen = arc<SlotDatum>()
        .innerRadius(R_IN)
        .outerRadius(R_OUT)
        .startAngle((d) => d.i * step)
        .endAngle((d) => (d.i + 1) * step)
        .padAngle(n > 32 ? 0.004 : 0.012);
      const slots = slotsG
        .selectAll<SVGGElement, SlotDatum>('g.rv-slot')
        .data(data, (d) => String(d.i))
        .join((enter) => {
          const s = enter.append('g').attr('class', 'rv-slot');
          s.append('path');
          s.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em');
          return s;
        });
      slots.select('path').attr('d', (d) => arcGen(d) ?? '').attr('transform', `translate(${CX},${CY})`);
      maybeTransition(slots.select<SVGPathElement>('path'), animate).attr('fill', slotFill);
      slots
        .select('text')
        .attr('x', (d) => CX + arcGen.centroid(d)[0])
        .attr('y', (d) => CY + arcGen.centroid(d)[1])
        .attr('class', n > 32 ? 'rv-letter rv-letter-small' : 'rv-letter')
        .text((d) => (d.cell && n <= 48 ? letter(d.cell.writer) : ''));
      count.text(`${ringCount(state)}/${size - 1}`);
      const angleOf = (slot: number) => ((Math.floor(slot / per) + 0.5) * 360) / n;
      const next = { head: angleOf(state.xmit.head), tail: angleOf(state.xmit.tail) };
      place(head, angles.head, next.head, animate);
      place(tail, angles.tail, next.tail, animate);
      angles = next;
    },
  };
}

const PW = 480;

/** Creates the pipe view (a row of page buffers) inside `svgEl`. */
export function createPipeRow(svgEl: SVGSVGElement): BufferView {
  const svg = select(svgEl);
  const g = svg.append('g').attr('class', 'rv-root');
  const pagesG = g.append('g').attr('class', 'rv-pages');
  const tailLabel = g.append('text').attr('class', 'rv-ptr-label').attr('text-anchor', 'middle').text('tail');
  const headLabel = g.append('text').attr('class', 'rv-ptr-label').attr('text-anchor', 'middle').text('head');

  return {
    describe(state) {
      const parts = state.pipe.bufs.map((b, i) => `buffer ${i}: ${runsText(b.cells)}`).join('; ');
      return `The pipe uses ${state.pipe.bufs.length} of ${state.params.pipeSlots} page buffers and holds ${pipeCount(state)} bytes${parts ? ` (${parts})` : ''}.`;
    },
    update(state, animate) {
      const slots = state.params.pipeSlots;
      const pageBytes = state.params.pipeBuf;
      const gap = 6;
      const pw = Math.min(200, (PW - 20 - gap * (slots - 1)) / slots);
      const x0 = (PW - (pw * slots + gap * (slots - 1))) / 2;
      const cols = pageBytes <= 64 ? Math.min(pageBytes, Math.max(1, Math.floor(pw / 14))) : 1;
      const rows = pageBytes <= 64 ? Math.ceil(pageBytes / cols) : 1;
      const cellW = (pw - 6) / cols;
      const cellH = pageBytes <= 64 ? Math.min(cellW, 30) : 60;
      const ph = rows * cellH + 6;
      const top = 6;
      const H = top + ph + 46;
      svg.attr('viewBox', `0 0 ${PW} ${H}`);
      const pages = pagesG
        .selectAll<SVGGElement, number>('g.rv-page')
        .data(Array.from({ length: slots }, (_, i) => i), (d) => String(d))
        .join((enter) => {
          const p = enter.append('g').attr('class', 'rv-page');
          p.append('rect').attr('class', 'rv-page-frame');
          p.append('g').attr('class', 'rv-cells');
          p.append('text').attr('class', 'rv-page-label').attr('text-anchor', 'middle');
          return p;
        })
        .attr('transform', (i) => `translate(${x0 + i * (pw + gap)},${top})`);
      pages.select('rect.rv-page-frame').attr('width', pw).attr('height', ph).attr('rx', 4);
      pages
        .select('text.rv-page-label')
        .attr('x', pw / 2)
        .attr('y', ph + 14)
        .text((i) => (slots <= 8 || i % 2 === 0 ? `buf ${i}` : ''));
      pages.each(function (i) {
        const pb = state.pipe.bufs[i];
        const cells = pb?.cells ?? [];
        const offset = pb?.offset ?? 0;
        const cg = select(this).select('g.rv-cells');
        if (pageBytes <= 64) {
          // Bytes sit at page positions offset .. offset + len; the reader consumed the rest.
          const data = Array.from({ length: pageBytes }, (_, k) => ({ k, cell: (k >= offset ? cells[k - offset] : null) ?? null, read: !!pb && k < offset }));
          const cs = cg
            .selectAll<SVGGElement, (typeof data)[number]>('g')
            .data(data, (d) => String(d.k))
            .join((enter) => {
              const e = enter.append('g');
              e.append('rect');
              e.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em').attr('class', 'rv-letter');
              return e;
            })
            .attr('transform', (d) => `translate(${3 + (d.k % cols) * cellW},${3 + Math.floor(d.k / cols) * cellH})`);
          cs.select('rect')
            .attr('width', Math.max(1, cellW - 1.5))
            .attr('height', Math.max(1, cellH - 1.5))
            .attr('rx', 2);
          cs.select('rect').attr('class', (d) => (d.read ? 'rv-read' : null));
          maybeTransition(cs.select<SVGRectElement>('rect'), animate).attr('fill', (d) => (d.cell ? writerColor(d.cell.writer) : d.read ? 'var(--border, #d8dde6)' : 'var(--surface, #fff)'));
          cs.select('text')
            .attr('x', cellW / 2 - 0.75)
            .attr('y', cellH / 2 - 0.75)
            .text((d) => (d.cell && cellW >= 11 ? letter(d.cell.writer) : ''));
        } else {
          // Large pages: a stacked bar of the writers' runs.
          const runs: { writer: number; from: number; count: number }[] = [];
          cells.forEach((c, k) => {
            const last = runs[runs.length - 1];
            if (last && last.writer === c.writer) last.count++;
            else runs.push({ writer: c.writer, from: offset + k, count: 1 });
          });
          const rs = cg
            .selectAll<SVGRectElement, (typeof runs)[number]>('rect')
            .data(runs)
            .join('rect')
            .attr('y', 3)
            .attr('height', cellH);
          maybeTransition(rs, animate)
            .attr('x', (r) => 3 + (r.from / pageBytes) * (pw - 6))
            .attr('width', (r) => Math.max(1, (r.count / pageBytes) * (pw - 6)))
            .attr('fill', (r) => writerColor(r.writer));
        }
      });
      const used = state.pipe.bufs.length;
      const labelY = top + ph + 32;
      const tailX = x0 + pw / 2;
      const headSlot = Math.min(used, slots - 1);
      const headX = x0 + headSlot * (pw + gap) + pw / 2;
      tailLabel.attr('x', tailX).attr('y', labelY).attr('visibility', used > 0 ? 'visible' : 'hidden').text('tail ↑ (reader)');
      headLabel
        .attr('x', headX)
        .attr('y', used > 0 && headSlot === 0 ? labelY + 13 : labelY)
        .text(used >= slots ? 'full' : 'head ↑ (writer)');
    },
  };
}
