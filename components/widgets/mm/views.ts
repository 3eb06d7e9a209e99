/**
 * The d3 diagrams of an `<mm-sim>` (the widget's custom view, `definition.ts` `views`),
 * loaded with `import()` when the widget comes into view or is first used; each is drawn in
 * its figure's SVG (`walk`, `memory`; one shown at a time, in tabs):
 *
 * - the address translation: the 48-bit virtual address, its 9/9/9/9/12 bit fields, and a
 *   row per level (PGD, PUD, PMD, PTE) showing the index its bits select and the entry
 *   found, then frame + offset = physical address. A new address is walked level by level
 *   (one level per `STEP_MS`), at once under `prefers-reduced-motion`;
 * - physical memory: the process pages (with a line per PTE to the frame it maps, the user
 *   buffer's lines highlighted), the frames in their zones with contents, refcount and pin
 *   badges, the DMA device with an arrow to each target frame (a write into a freed frame
 *   marked "lost write"), and an arc for each page the last step moved.
 *
 * Geometry comes from `layout.ts`, words from `format.ts`; this module holds no simulation
 * state and only binds them to SVG. Both drawings are laid out at their box's width (and
 * drawn again when it changes, e.g. when a hidden tab is shown).
 */
import { select, type Selection } from 'd3-selection';
import { linkVertical } from 'd3-shape';
import 'd3-transition';
import type { MmState } from '../../../sims/mm/index.ts';
import { addressFields, fieldName, hex48, walkOutcomeText } from './format.ts';
import { memoryDesc, stepWalk, type WalkShown } from './html.ts';
import type { CustomView, CustomViewHost, WidgetCtx } from '../../player/definition.ts';
import { arcLift, arcPath, bitFields, maxProcRows, memoryLayout, walkLayout, type DmaArrow, type FrameBox, type LinkLine, type PageBox } from './layout.ts';
import { maybeTransition, reducedMotion, STEP_MS } from '../../scene/motion.ts';

/** What the diagrams show for one step. */
export interface MmViewModel {
  state: MmState;
  /** The state before (for pages that moved in this step), or null. */
  prev: MmState | null;
  /** The walk to show, or null with `walkError` when the typed address could not be walked. */
  walk: WalkShown | null;
  walkError: string | null;
  /** Changes when the walked address or its result changes: the walk is then animated again. */
  walkKey: string;
  /** Rows of process pages to reserve (the most live processes in the timeline). */
  procRows: number;
}

export interface MmDiagrams {
  update(vm: MmViewModel, animate: boolean): void;
  dispose(): void;
}

export interface MmDiagramElements {
  walk: SVGSVGElement;
  memory: SVGSVGElement;
  idPrefix: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type G = Selection<SVGGElement, any, any, any>;

/**
 * Joins `data` by `key` to the `<g class="<cls>">` children of `parent`: each entering one gets
 * a `<path>` and a `<text>` (and opacity 0 when `fadeIn`, for the caller to fade in); leaving
 * ones are removed. Returns the joined groups.
 */
function pathTextGroups<D>(parent: G, cls: string, data: readonly D[], key: (d: D) => string, fadeIn: boolean): Selection<SVGGElement, D, SVGGElement, unknown> {
  return parent
    .selectAll<SVGGElement, D>(`g.${cls}`)
    .data(data, key)
    .join((enter) => {
      const g = enter.append('g').attr('class', cls);
      g.append('path');
      g.append('text');
      if (fadeIn) g.style('opacity', 0);
      return g;
    });
}

const linkGen = linkVertical<{ source: [number, number]; target: [number, number] }, [number, number]>();

function linkPath(l: LinkLine): string {
  return linkGen({ source: [l.from.x, l.from.y], target: [l.to.x, l.to.y] }) ?? '';
}

function dmaPath(a: DmaArrow): string {
  const mx = a.to.x;
  return `M${a.from.x},${a.from.y} C${mx},${a.from.y} ${mx},${a.from.y} ${a.to.x},${a.to.y + 4}`;
}

/** Shortens a contents marker to fit `w` units at ~6.2 units a character. */
export function fitMarker(marker: string, w: number): string {
  const max = Math.max(2, Math.floor((w - 4) / 6.2));
  if (marker.length <= max) return marker;
  const hash = marker.lastIndexOf('#');
  if (hash > 0) {
    const tail = marker.slice(hash);
    return marker.slice(0, Math.max(1, max - tail.length - 1)) + '…' + tail;
  }
  return marker.slice(0, max - 1) + '…';
}

function widthOf(svg: SVGSVGElement): number {
  const w = svg.parentElement?.clientWidth ?? 0;
  return w > 0 ? w : 720;
}

/**
 * Creates both diagrams in the given SVGs (which keep their server-rendered `<title>` and
 * `<desc>`; the desc is rewritten on every update). `update` redraws for a step, with
 * transitions when `animate` is true and motion is not reduced; the drawings follow the
 * container's width (ResizeObserver). Holds no simulation state.
 */
export function createMmDiagrams(el: MmDiagramElements): MmDiagrams {
  const walkSvg = select(el.walk);
  const memSvg = select(el.memory);
  const walkRoot: G = walkSvg.append('g').attr('class', 'mw-root');
  const memRoot: G = memSvg.append('g').attr('class', 'mm-root');
  let defs = memSvg.select<SVGDefsElement>('defs');
  if (defs.empty()) defs = memSvg.insert('defs', 'g');
  for (const kind of ['dma', 'lost', 'move']) {
    defs
      .append('marker')
      .attr('id', `${el.idPrefix}-arrow-${kind}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 8)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('class', `mm-arrowhead mm-arrowhead-${kind}`);
  }
  const gLinks = memRoot.append('g').attr('class', 'mm-links');
  const gZones = memRoot.append('g').attr('class', 'mm-zones');
  const gFrames = memRoot.append('g').attr('class', 'mm-frames');
  const gPages = memRoot.append('g').attr('class', 'mm-pages');
  const gLabels = memRoot.append('g').attr('class', 'mm-labels');
  const gDevice = memRoot.append('g').attr('class', 'mm-device');
  const gDma = memRoot.append('g').attr('class', 'mm-dma');
  const gMoves = memRoot.append('g').attr('class', 'mm-moves');

  let last: MmViewModel | null = null;
  let lastWalkKey = '';
  let lastWalkWidth = 0;

  // ---- translation ----------------------------------------------------------------------

  function drawWalk(vm: MmViewModel, animate: boolean): void {
    const L = walkLayout(widthOf(el.walk));
    walkSvg.attr('viewBox', `0 0 ${L.width} ${L.height}`).attr('height', L.height);
    const again = vm.walkKey !== lastWalkKey || L.width !== lastWalkWidth;
    lastWalkKey = vm.walkKey;
    lastWalkWidth = L.width;
    walkRoot.selectAll('*').interrupt().remove();
    if (!vm.walk) {
      walkRoot
        .append('text')
        .attr('class', 'mw-error')
        .attr('x', 8)
        .attr('y', L.headY)
        .text(vm.walkError ?? 'No address to walk.');
      return;
    }
    const w = vm.walk.walk;
    const fields = addressFields(w.va);
    const perBit = bitFields(fields);
    const bits = w.va.toString(2).padStart(48, '0');
    // Levels reached: the walk's steps; the offset and the result only when mapped.
    const mapped = w.outcome.kind === 'mapped';
    const reached = w.steps.length; // 1..4
    const stopLevel = mapped ? -1 : reached - 1;
    const lastRow = mapped ? 5 : stopLevel;

    walkRoot
      .append('text')
      .attr('class', 'mw-head')
      .attr('x', 8)
      .attr('y', L.headY)
      .text(L.wide ? `Virtual address ${hex48(w.va)} in process ${vm.walk.pid}` : `P${vm.walk.pid} virtual address ${hex48(w.va)}`);
    if (L.wide) {
      const cells = walkRoot.append('g').attr('class', 'mw-bits');
      perBit.forEach((f, i) => {
        const g = cells.append('g').attr('class', `mw-bit mw-f-${f}`).attr('data-field', f);
        g.append('rect').attr('x', L.bitX[i]).attr('y', L.headY + 8).attr('width', L.bitW - 1).attr('height', 18).attr('rx', 2);
        g.append('text').attr('x', L.bitX[i] + (L.bitW - 1) / 2).attr('y', L.headY + 21).attr('text-anchor', 'middle').text(bits[i]);
      });
    }
    const hl = walkRoot.append('rect').attr('class', 'mw-highlight').attr('x', 2).attr('width', L.width - 4).attr('height', L.rowH - 2).attr('rx', 5);
    const rowsG = walkRoot.append('g').attr('class', 'mw-rows');
    fields.forEach((f, i) => {
      const row = L.rows[i];
      const g = rowsG
        .append('g')
        .attr('class', `mw-row mw-f-${f.field}`)
        .attr('data-row', i)
        .classed('mw-stop', i === stopLevel)
        .classed('mw-unreached', i > lastRow);
      const cy = row.y + L.rowH / 2;
      g.append('text').attr('class', 'mw-tag').attr('x', L.tagX).attr('y', cy + 4).text(f.field === 'offset' && !L.wide ? 'off' : fieldName(f.field));
      if (L.wide) g.append('text').attr('class', 'mw-range').attr('x', L.tagX + 50).attr('y', cy + 4).text(`${f.hi}–${f.lo}`);
      const cells = g.append('g').attr('class', 'mw-cells');
      [...f.bits].forEach((b, k) => {
        cells.append('rect').attr('x', L.bitsX + k * L.cellW).attr('y', cy - 8).attr('width', L.cellW - 1).attr('height', 16).attr('rx', 2);
        cells.append('text').attr('x', L.bitsX + k * L.cellW + (L.cellW - 1) / 2).attr('y', cy + 4).attr('text-anchor', 'middle').text(b);
      });
      g.append('text').attr('class', 'mw-value').attr('x', L.valueX).attr('y', cy + 4).text(f.field === 'offset' ? `+${f.value.toString(16)}h` : `= ${f.value}`);
      let entry = '';
      if (f.field === 'offset') entry = mapped ? (L.wide ? 'byte in the frame' : 'in frame') : '';
      else if (i < reached) {
        const st = w.steps[i];
        if (!st.entry) entry = 'none: fault';
        else if (st.level === 'pte') entry = mapped && w.outcome.kind === 'mapped' ? `pfn ${w.outcome.pfn}${w.outcome.writable ? ' rw' : ' ro'}` : `swap slot ${w.outcome.kind === 'not-present' ? w.outcome.swapSlot : ''}`;
        else entry = `→ ${fieldName(['pud', 'pmd', 'pte'][i] as 'pud')} #${(st.entry as { table: number }).table}`;
      }
      g.append('text').attr('class', 'mw-entry').attr('x', L.entryX).attr('y', cy + 4).text(entry);
    });
    const phys = L.rows[5];
    const o = w.outcome;
    const physText =
      o.kind === 'mapped'
        ? L.wide
          ? `physical address = pfn ${o.pfn} × 4096 + 0x${w.parts.offset.toString(16)} = 0x${o.physAddr.toString(16)}`
          : `phys = ${o.pfn}×4096 + 0x${w.parts.offset.toString(16)} = 0x${o.physAddr.toString(16)}`
        : o.reason === 'swap'
          ? `swapped out (slot ${o.swapSlot}): an access faults it back in`
          : `no ${fieldName(o.level)} entry: an access faults`;
    walkRoot
      .append('text')
      .attr('class', `mw-phys ${o.kind === 'mapped' ? 'mw-phys-ok' : 'mw-phys-fault'}`)
      .attr('x', L.tagX)
      .attr('y', phys.y + L.rowH / 2 + 5)
      .text(physText);

    // Walk the rows one level at a time; otherwise show the end at once.
    const rowY = (i: number) => L.rows[i].y + 1;
    const rows = rowsG.selectAll<SVGGElement, unknown>('.mw-row');
    const physEl = walkRoot.select<SVGTextElement>('.mw-phys');
    const bitsEl = walkRoot.selectAll<SVGGElement, unknown>('.mw-bit');
    if (animate && again && !reducedMotion()) {
      hl.attr('y', rowY(0));
      rows.style('opacity', (_, i) => (i === 0 ? 1 : 0.25));
      physEl.style('opacity', 0);
      bitsEl.classed('mw-on', function () {
        return (this as SVGGElement).dataset.field === 'pgd';
      });
      let t = hl.transition().duration(0);
      for (let i = 1; i <= lastRow; i++) {
        const k = i;
        t = t
          .transition()
          .delay(STEP_MS / 2)
          .duration(STEP_MS)
          .attr('y', rowY(Math.min(k, 5)))
          .on('start', () => {
            rows.filter((_, j) => j === k).style('opacity', 1);
            if (k === 5) physEl.style('opacity', 1);
            const f = k < 5 ? fields[k].field : null;
            bitsEl.classed('mw-on', function () {
              return f !== null && (this as SVGGElement).dataset.field === f;
            });
          });
      }
      t.on('end', () => {
        rows.style('opacity', (_, j) => (j > lastRow ? 0.35 : 1));
        physEl.style('opacity', 1);
      });
    } else {
      hl.attr('y', rowY(Math.min(lastRow, 5)));
      rows.style('opacity', (_, j) => (j > lastRow ? 0.35 : 1));
      bitsEl.classed('mw-on', false);
    }
    const d = el.walk.querySelector('desc');
    if (d) d.textContent = `${walkOutcomeText(w, vm.walk.pid)} ${fields.map((f) => `${fieldName(f.field)} bits ${f.hi}–${f.lo} = ${f.value}`).join(', ')}.`;
  }

  // ---- memory ---------------------------------------------------------------------------

  function drawMemory(vm: MmViewModel, animate: boolean): void {
    const L = memoryLayout(vm.state, vm.prev, widthOf(el.memory), vm.procRows);
    memSvg.attr('viewBox', `0 0 ${L.width} ${L.height}`).attr('height', L.height);
    const tr = <E extends Element, D>(s: Selection<E, D, SVGGElement, unknown>) => maybeTransition(s, animate);

    // Links (PTEs), behind everything: they slide to the new frame when a page moves.
    gLinks
      .selectAll<SVGPathElement, LinkLine>('path')
      .data(L.links, (d) => d.key)
      .join(
        (enter) => enter.append('path').attr('d', linkPath).style('opacity', 0),
        (update) => update,
        (exit) => exit.remove(),
      )
      .attr('class', (d) => `mm-link${d.buffer ? ' mm-link-buffer' : ''}${d.zero ? ' mm-link-zero' : ''}${d.writable ? '' : ' mm-link-ro'}`)
      .call((s) => tr(s).attr('d', linkPath).style('opacity', 1));

    gZones
      .selectAll<SVGGElement, (typeof L.zones)[number]>('g')
      .data(L.zones, (d) => d.key)
      .join((enter) => {
        const g = enter.append('g');
        g.append('rect').attr('height', 14).attr('rx', 3);
        g.append('text');
        return g;
      })
      .attr('class', (d) => `mm-zone mm-zone-${d.zone}`)
      .call((g) => {
        g.select('rect').attr('x', (d) => d.x).attr('y', (d) => d.y).attr('width', (d) => d.w);
        g.select('text').attr('x', (d) => d.x + d.w / 2).attr('y', (d) => d.y + 10.5).attr('text-anchor', 'middle').text((d) => d.label);
      });

    const frames = gFrames
      .selectAll<SVGGElement, FrameBox>('g.mm-frame')
      .data(L.frames, (d) => String(d.pfn))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'mm-frame');
        g.append('rect').attr('class', 'mm-frame-box').attr('rx', 4);
        g.append('text').attr('class', 'mm-pfn');
        g.append('text').attr('class', 'mm-marker');
        g.append('text').attr('class', 'mm-ref');
        const pin = g.append('g').attr('class', 'mm-pin');
        pin.append('rect').attr('rx', 3);
        pin.append('text');
        g.append('title');
        return g;
      })
      .attr('data-use', (d) => d.use)
      .classed('mm-stale', (d) => d.stale)
      .classed('mm-buffer', (d) => d.buffer)
      .classed('mm-lost', (d) => d.lost)
      .classed('mm-target', (d) => d.target)
      .classed('mm-dirty', (d) => d.dirty);
    frames.select('.mm-frame-box').attr('x', (d) => d.x).attr('y', (d) => d.y).attr('width', (d) => d.w).attr('height', (d) => d.h);
    frames.select('.mm-pfn').attr('x', (d) => d.x + 4).attr('y', (d) => d.y + 12).text((d) => (d.w >= 44 ? `pfn ${d.pfn}` : String(d.pfn)));
    frames.select('.mm-marker').attr('x', (d) => d.x + d.w / 2).attr('y', (d) => d.y + 32).attr('text-anchor', 'middle').text((d) => fitMarker(d.marker, d.w));
    frames
      .select('.mm-ref')
      .attr('x', (d) => d.x + d.w / 2)
      .attr('y', (d) => d.y + d.h - 6)
      .attr('text-anchor', 'middle')
      .text((d) => (d.use === 'free' ? '' : d.w >= 50 ? `ref ${d.refcount}` : `r${d.refcount}`));
    // Inside a frame, top to bottom: pfn, contents, the pin badge ("pin 1", or "p1" when narrow), refcount.
    const pinW = (d: FrameBox) => Math.min(d.w - 6, d.w >= 40 ? 34 : 24);
    const pins = frames.select<SVGGElement>('.mm-pin').style('display', (d) => (d.pincount > 0 ? null : 'none'));
    pins.select('rect').attr('x', (d) => d.x + (d.w - pinW(d)) / 2).attr('y', (d) => d.y + 40).attr('width', pinW).attr('height', 14);
    pins.select('text').attr('x', (d) => d.x + d.w / 2).attr('y', (d) => d.y + 50.5).attr('text-anchor', 'middle').text((d) => (d.w >= 40 ? `pin ${d.pincount}` : `p${d.pincount}`));
    frames.select('title').text((d) => `pfn ${d.pfn}: ${d.marker}, refcount ${d.refcount}, pincount ${d.pincount}${d.lost ? ', lost DMA write' : ''}`);

    const pages = gPages
      .selectAll<SVGGElement, PageBox>('g.mm-page')
      .data(L.pages, (d) => d.key)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'mm-page');
        g.append('rect').attr('rx', 3);
        g.append('text');
        return g;
      })
      .attr('data-status', (d) => d.status)
      .classed('mm-page-buffer', (d) => d.buffer);
    pages.select('rect').attr('x', (d) => d.x).attr('y', (d) => d.y).attr('width', (d) => d.w).attr('height', (d) => d.h);
    pages
      .select('text')
      .attr('x', (d) => d.x + d.w / 2)
      .attr('y', (d) => d.y + d.h / 2 + 4)
      .attr('text-anchor', 'middle')
      .text((d) => (d.status === 'swap' ? `s${d.swapSlot}` : d.label));

    gLabels
      .selectAll<SVGTextElement, (typeof L.labels)[number]>('text')
      .data(L.labels, (d) => d.key)
      .join('text')
      .attr('class', (d) => (d.key.startsWith('p') ? 'mm-proc-label' : 'mm-vma-label'))
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y)
      .attr('text-anchor', (d) => d.anchor)
      .text((d) => d.text);

    gDevice.selectAll('*').remove();
    if (L.device) {
      const d = L.device;
      gDevice.append('rect').attr('x', d.x).attr('y', d.y).attr('width', d.w).attr('height', d.h).attr('rx', 5);
      const active = vm.state.device.transfer !== null;
      gDevice
        .append('text')
        .attr('x', d.x + 8)
        .attr('y', d.y + d.h / 2 + 4)
        .text(active ? 'DMA device: busy' : 'DMA device: idle');
    }

    const dma = pathTextGroups(gDma, 'mm-dma-arrow', L.dma, (d) => d.key, true).attr('data-status', (d) => d.status);
    dma
      .select('path')
      .attr('d', dmaPath)
      .attr('marker-end', (d) => `url(#${el.idPrefix}-arrow-${d.status === 'freed' || d.status === 'elsewhere' || d.status === 'zero-page' ? 'lost' : 'dma'})`);
    // The label goes right of the arrow's end, or left of it near the right edge.
    const dmaLabel = (d: DmaArrow) => (d.status === 'freed' ? 'lost write' : d.status === 'elsewhere' ? 'misplaced' : d.status === 'zero-page' ? 'zero page!' : '');
    const fitsRight = (d: DmaArrow) => d.to.x + 5 + dmaLabel(d).length * 6.6 <= L.width - 2;
    dma
      .select('text')
      .attr('x', (d) => (fitsRight(d) ? d.to.x + 5 : d.to.x - 5))
      .attr('y', (d) => d.to.y + 27)
      .attr('text-anchor', (d) => (fitsRight(d) ? 'start' : 'end'))
      .text(dmaLabel);
    tr(dma).style('opacity', 1);

    pathTextGroups(gMoves, 'mm-move', L.moves, (d) => d.key, false)
      .attr('data-reason', (d) => d.move.reason)
      .call((g) => {
        g.select('path').attr('d', (d) => arcPath(d.from, d.to)).attr('marker-end', `url(#${el.idPrefix}-arrow-move)`);
        // One label above the arcs' middle, kept inside the drawing; several moves share it.
        const all = L.moves;
        const text = all.length === 0 ? '' : `${all[0].move.reason} ${all.map((m) => `${m.move.from}→${m.move.to}`).join(', ')}`;
        const mid = all.length ? (Math.min(...all.map((m) => Math.min(m.from.x, m.to.x))) + Math.max(...all.map((m) => Math.max(m.from.x, m.to.x)))) / 2 : 0;
        const half = (text.length * 6.4) / 2 + 4;
        const top = all.length ? Math.min(...all.map((m) => Math.min(m.from.y, m.to.y) - arcLift(m.from, m.to) / 2)) - 6 : 0;
        g.select('text')
          .attr('x', Math.min(L.width - half, Math.max(half, mid)))
          .attr('y', top)
          .attr('text-anchor', 'middle')
          .text((_, i) => (i === 0 ? text : ''));
        g.style('opacity', animate && !reducedMotion() ? 0 : 1);
        maybeTransition(g, animate).style('opacity', 1);
      });

    const desc = el.memory.querySelector('desc');
    if (desc) desc.textContent = memoryDesc(vm.state);
  }

  const ro =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (last) {
            drawWalk(last, false);
            drawMemory(last, false);
          }
        })
      : null;
  if (ro) {
    for (const svg of [el.walk, el.memory]) if (svg.parentElement) ro.observe(svg.parentElement);
  }

  return {
    update(vm, animate) {
      last = vm;
      drawWalk(vm, animate);
      drawMemory(vm, animate);
    },
    dispose() {
      ro?.disconnect();
    },
  };
}

/** The walk the translation view shows, as the element (`element.ts`) decides it (a typed address or the step's). */
export interface MmWalkShown {
  walk: WalkShown | null;
  /** Why there is no walk (a typed address that cannot be walked). */
  walkError: string | null;
  /** Changes when the walked address or its result changes (the walk is then animated again). */
  walkKey: string;
}

/** What the host element offers the view: the walk to show now. */
export interface MmWalkSource {
  mmWalk(): MmWalkShown;
}

/** The walk of the step's own address (a host that offers none). */
function walkOfStep(ctx: WidgetCtx<unknown, MmState, unknown>): MmWalkShown {
  try {
    const w = stepWalk(ctx.states, ctx.index);
    return { walk: w, walkError: null, walkKey: `s:${w.pid}:${w.walk.va}:${JSON.stringify(w.walk.outcome)}` };
  } catch (e) {
    return { walk: null, walkError: e instanceof Error ? e.message : String(e), walkKey: 'error' };
  }
}

/**
 * The custom view of the memory widget's two figures (`walk`, `memory`): creates the
 * diagrams in their SVGs and redraws them for each step. The walk shown is the host's
 * (`MmWalkSource`, the typed address) or the step's.
 */
export function mmView(host: CustomViewHost): CustomView<WidgetCtx<unknown, MmState, unknown>> {
  const d = createMmDiagrams({ walk: host.svg('walk'), memory: host.svg('memory'), idPrefix: host.host.id || 'mm-sim' });
  let rows: { states: readonly MmState[]; length: number; n: number } | null = null;
  return {
    update(ctx, animate) {
      const src = host.host as unknown as Partial<MmWalkSource>;
      const w = typeof src.mmWalk === 'function' ? src.mmWalk() : walkOfStep(ctx);
      if (!rows || rows.states !== ctx.states || rows.length !== ctx.states.length) rows = { states: ctx.states, length: ctx.states.length, n: maxProcRows(ctx.states) };
      d.update({ state: ctx.state, prev: ctx.prev, walk: w.walk, walkError: w.walkError, walkKey: w.walkKey, procRows: rows.n }, animate);
    },
    dispose: () => d.dispose(),
  };
}
