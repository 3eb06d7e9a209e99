/**
 * The swimlane diagram: one lane per writer and one for the UART (or pipe reader), one column
 * per step. Solid bars: the writer holds the lock; hatched: it sleeps (for the lock, or for
 * room); markers for signals and returns; the far end's lane shows the bytes sent, coloured
 * by writer; a cursor marks the current step and the known future is faded.
 *
 * It draws a `SwimlaneLayout` (computed without DOM in `./swimlane-layout.ts`); it never
 * owns state.
 */
import { select, type Selection } from 'd3-selection';
import { scaleLinear } from 'd3-scale';
import { symbol, symbolCircle, symbolDiamond } from 'd3-shape';
import type { Lane, Segment, SwimlaneLayout, Transfer, Marker } from './swimlane-layout.ts';
import { writerColor } from './format.ts';
import { maybeTransition } from '../../scene/motion.ts';

/** The swimlane's grid, in SVG user units. */
const GRID = {
  /** Width of the lane labels on the left. */
  labelW: 78,
  /** Height of the step axis on top. */
  axisH: 18,
  /** Height of one lane. */
  laneH: 30,
  /** Space between two lanes. */
  laneGap: 6,
  /** Narrowest step column; a run with more steps than fit scrolls sideways. */
  minColW: 16,
  /** Widest step column (a short run). */
  maxColW: 44,
  /** Room on the right for the last return label (`= -1 EAGAIN`). */
  padR: 84,
} as const;

export interface SwimlaneOptions {
  /** Unique prefix for ids inside the SVG (patterns). */
  idPrefix: string;
  /** Called with a column index when the learner clicks a column. */
  onSeek?: (column: number) => void;
}

export interface SwimlaneView {
  update(layout: SwimlaneLayout, index: number, animate: boolean): void;
  /** Re-layout after the container's width changed. */
  resize(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type G = Selection<SVGGElement, any, any, any>;

export function createSwimlane(svgEl: SVGSVGElement, opts: SwimlaneOptions): SwimlaneView {
  const svg = select(svgEl);
  const scroller = svgEl.parentElement as HTMLElement;
  let defs = svg.select<SVGDefsElement>('defs');
  if (defs.empty()) defs = svg.append('defs');
  const root = svg.append('g').attr('class', 'sl-root');
  const axis = root.append('g').attr('class', 'sl-axis');
  const lanesG = root.append('g').attr('class', 'sl-lanes');
  const future = root.append('rect').attr('class', 'sl-future');
  const cursor = root.append('rect').attr('class', 'sl-cursor').attr('rx', 3);
  // The lane labels stay in view while the lanes scroll sideways (phones): drawn last, over
  // an opaque band, and moved by the scroll offset.
  const sticky = root.append('g').attr('class', 'sl-sticky');
  const stickyBg = sticky.append('rect').attr('class', 'sl-sticky-bg').attr('x', 0).attr('y', 0).attr('width', GRID.labelW - 2);
  const keepLabels = () => sticky.attr('transform', `translate(${scroller?.scrollLeft ?? 0},0)`);
  scroller?.addEventListener('scroll', keepLabels, { passive: true });
  let last: { layout: SwimlaneLayout; index: number } | null = null;
  let colW: number = GRID.minColW;
  let x = scaleLinear();

  function ensurePatterns(writers: number) {
    const ids = ['grey', ...Array.from({ length: writers }, (_, w) => `w${w}`)];
    defs
      .selectAll<SVGPatternElement, string>('pattern')
      .data(ids, (d) => d)
      .join((enter) => {
        const p = enter
          .append('pattern')
          .attr('id', (d) => `${opts.idPrefix}-hatch-${d}`)
          .attr('patternUnits', 'userSpaceOnUse')
          .attr('width', 6)
          .attr('height', 6)
          .attr('patternTransform', 'rotate(45)');
        p.append('rect').attr('width', 6).attr('height', 6).attr('fill', 'var(--surface, #fff)');
        p.append('line')
          .attr('x1', 0)
          .attr('y1', 0)
          .attr('x2', 0)
          .attr('y2', 6)
          .attr('stroke-width', 3)
          .attr('stroke', (d) => (d === 'grey' ? 'var(--muted, #56606f)' : writerColor(Number(d.slice(1)))));
        return p;
      });
  }

  function laneY(i: number) {
    return GRID.axisH + i * (GRID.laneH + GRID.laneGap);
  }

  function segFill(s: Segment, w: number) {
    switch (s.kind) {
      case 'holds':
        return writerColor(w);
      case 'unlocked':
        return `color-mix(in srgb, ${writerColor(w)} 30%, transparent)`;
      case 'lock-wait':
        return `url(#${opts.idPrefix}-hatch-grey)`;
      case 'room-wait':
        return `url(#${opts.idPrefix}-hatch-w${w})`;
    }
  }

  function draw(layout: SwimlaneLayout, index: number, animate: boolean) {
    const avail = Math.max(300, scroller?.clientWidth || 640);
    const cols = Math.max(layout.columns, 1);
    colW = Math.max(GRID.minColW, Math.min(GRID.maxColW, (avail - GRID.labelW - GRID.padR) / cols));
    const width = Math.round(GRID.labelW + cols * colW + GRID.padR);
    const height = laneY(layout.lanes.length) + 2;
    x = scaleLinear()
      .domain([0, cols])
      .range([GRID.labelW, GRID.labelW + cols * colW]);
    // Drawn at 1:1 (11 px text); the figure scrolls sideways when it is wider than the column.
    svg.attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height).style('width', `${width}px`).style('height', `${height}px`);
    ensurePatterns(layout.lanes.filter((l) => l.writer !== null).length);

    // Step numbers along the top.
    const every = colW >= 28 ? 1 : colW >= 20 ? 2 : 5;
    const ticks = Array.from({ length: cols }, (_, i) => i).filter((i) => i % every === 0);
    axis
      .selectAll<SVGTextElement, number>('text')
      .data(ticks, (d) => String(d))
      .join('text')
      .attr('x', (d) => x(d) + colW / 2)
      .attr('y', GRID.axisH - 6)
      .attr('text-anchor', 'middle')
      .attr('class', 'sl-tick')
      .text((d) => d);

    const lanes = lanesG
      .selectAll<SVGGElement, Lane>('g.sl-lane')
      .data(layout.lanes, (d) => d.key)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'sl-lane');
        g.append('rect').attr('class', 'sl-bg');
        g.append('g').attr('class', 'sl-segs');
        g.append('g').attr('class', 'sl-xfers');
        g.append('g').attr('class', 'sl-marks');
        return g;
      })
      .attr('transform', (_, i) => `translate(0,${laneY(i)})`);

    lanes
      .select('rect.sl-bg')
      .attr('x', GRID.labelW)
      .attr('y', 0)
      .attr('width', cols * colW)
      .attr('height', GRID.laneH)
      .attr('rx', 4);
    stickyBg.attr('height', height);
    sticky
      .selectAll<SVGTextElement, Lane>('text.sl-label')
      .data(layout.lanes, (d) => d.key)
      .join('text')
      .attr('class', 'sl-label')
      .attr('x', GRID.labelW - 8)
      .attr('y', (_, i) => laneY(i) + GRID.laneH / 2)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'end')
      .attr('fill', (d) => (d.writer === null ? 'var(--fg, #14171c)' : writerColor(d.writer)))
      .text((d) => d.label);

    lanes.each(function (lane) {
      const g = select(this);
      const w = lane.writer;
      if (w !== null) {
        g.select('g.sl-segs')
          .selectAll<SVGRectElement, Segment>('rect')
          .data(lane.segments, (s) => `${s.from}`)
          .join('rect')
          .attr('x', (s) => x(s.from) + 1)
          .attr('y', 4)
          .attr('width', (s) => Math.max(1, x(s.to) - x(s.from) - 2))
          .attr('height', GRID.laneH - 8)
          .attr('rx', 3)
          .attr('class', (s) => `sl-seg sl-${s.kind}`)
          .attr('fill', (s) => segFill(s, w))
          .attr('stroke', (s) => (s.kind === 'lock-wait' ? 'var(--muted, #56606f)' : writerColor(w)))
          .attr('stroke-dasharray', (s) => (s.holdsLock || s.kind === 'lock-wait' ? null : '3 2'))
          .attr('stroke-width', (s) => (s.kind === 'room-wait' && s.holdsLock ? 2.5 : 1));
      }
      drawTransfers(g.select<SVGGElement>('g.sl-xfers'), lane);
      drawMarkers(g.select<SVGGElement>('g.sl-marks'), lane);
    });

    const top = GRID.axisH - 2;
    const bottom = laneY(layout.lanes.length) - GRID.laneGap + 2;
    const clamped = Math.min(index, cols - 1);
    future
      .attr('x', x(clamped + 1))
      .attr('y', top)
      .attr('width', Math.max(0, x(cols) - x(clamped + 1)))
      .attr('height', bottom - top);
    maybeTransition(cursor, animate)
      .attr('x', x(clamped) - 1)
      .attr('y', top)
      .attr('width', colW + 2)
      .attr('height', bottom - top);

    // Keep the cursor in view when the swimlane scrolls sideways.
    if (scroller && scroller.scrollWidth > scroller.clientWidth) {
      const cx = x(clamped);
      const left = scroller.scrollLeft;
      const right = left + scroller.clientWidth;
      if (cx < left + GRID.labelW || cx + colW > right - 8) {
        scroller.scrollLeft = Math.max(0, cx - scroller.clientWidth / 2);
      }
    }
  }

  function drawTransfers(g: G, lane: Lane) {
    const groups = g
      .selectAll<SVGGElement, Transfer>('g.sl-xfer')
      .data(lane.transfers, (t) => `${t.step}`)
      .join('g')
      .attr('class', 'sl-xfer');
    if (lane.writer === null) {
      // The far end: a stacked column per send, coloured by whose bytes went out.
      groups.each(function (t) {
        let y0 = 4;
        const h = GRID.laneH - 8;
        const parts = t.parts.map((p) => {
          const ph = (p.count / t.total) * h;
          const r = { ...p, y: y0, h: ph };
          y0 += ph;
          return r;
        });
        select(this)
          .selectAll<SVGRectElement, (typeof parts)[number]>('rect')
          .data(parts)
          .join('rect')
          .attr('x', x(t.step) + 2)
          .attr('width', Math.max(1, colW - 4))
          .attr('y', (p) => p.y)
          .attr('height', (p) => Math.max(0.5, p.h))
          .attr('fill', (p) => writerColor(p.writer));
      });
    }
    groups
      .selectAll<SVGTextElement, Transfer>('text')
      .data((t) => (colW >= 18 ? [t] : []))
      .join('text')
      .attr('class', lane.writer === null ? 'sl-count sl-count-drain' : 'sl-count')
      .attr('x', (t) => x(t.step) + colW / 2)
      .attr('y', GRID.laneH / 2)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'middle')
      .text((t) => (lane.writer === null ? String(t.total) : `+${t.total}`));
  }

  function drawMarkers(g: G, lane: Lane) {
    const marks = g
      .selectAll<SVGGElement, Marker>('g.sl-mark')
      .data(lane.markers, (m) => `${m.kind}${m.step}`)
      .join((enter) => {
        const m = enter.append('g').attr('class', 'sl-mark');
        m.append('path');
        m.append('text');
        m.append('title');
        return m;
      })
      .attr('transform', (m) => `translate(${x(m.step) + colW / 2},${m.kind === 'signal' ? 5 : GRID.laneH / 2})`);
    marks
      .select('path')
      .attr('d', (m) => symbol(m.kind === 'signal' ? symbolDiamond : symbolCircle, m.kind === 'signal' ? 70 : 90)() ?? '')
      .attr('class', (m) => `sl-${m.kind} sl-res-${m.result ?? 'none'}`);
    marks
      .select('text')
      .attr('x', (m) => (m.kind === 'return' ? 8 : 6))
      .attr('y', (m) => (m.kind === 'return' ? 0 : 1))
      .attr('dy', '0.35em')
      .attr('text-anchor', 'start')
      .attr('class', (m) => `sl-mark-label sl-res-${m.result ?? 'none'}`)
      .text((m) => (m.kind === 'return' ? m.label.replace('write() ', '') : ''));
    marks.select('title').text((m) => `${lane.label}: ${m.label} (step ${m.step})`);
  }

  if (opts.onSeek) {
    const onSeek = opts.onSeek;
    svg.on('click', (ev: MouseEvent) => {
      if (!last) return;
      const rect = svgEl.getBoundingClientRect();
      const vb = svgEl.viewBox.baseVal;
      const px = ((ev.clientX - rect.left) / rect.width) * (vb?.width || rect.width);
      const col = Math.floor(x.invert(px));
      if (col >= 0 && col < last.layout.columns) onSeek(col);
    });
  }

  return {
    update(layout, index, animate) {
      last = { layout, index };
      draw(layout, index, animate);
      keepLabels();
    },
    resize() {
      if (last) draw(last.layout, last.index, false);
      keepLabels();
    },
  };
}
