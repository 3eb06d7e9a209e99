/**
 * The d3 diagrams of a `<sg-sim>`, loaded with `import()` when the widget comes near the
 * viewport or is first used. The element calls `update` with the timeline and the current
 * index; this module lays each diagram out (`../sg-layout.ts`, no DOM) and draws the scene
 * with a keyed d3 join, tweening positions for ~250 ms between neighbouring steps (none under
 * `prefers-reduced-motion`, see `./motion.ts`). It holds no simulation state of its own.
 *
 * The server already rendered the initial state's scenes into each SVG's `<g data-scene>`
 * with the same keys (`sceneToSvg`), so the first draw adopts those elements in place: the
 * upgrade changes nothing on screen.
 */
import { select, type Selection } from 'd3-selection';
import type { DmaState } from '../../../sims/dma/types.ts';
import { deviceScene, iommuScene, pagesScene, sgFrame, type Scene, type SgFrame, type Shape } from '../sg-layout.ts';
import { maybeTransition, reducedMotion, STEP_MS } from './motion.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** What the element drives. */
export interface SgDiagrams {
  /** Draws `states[index]`; `animate` tweens from what is on screen (one step moves). */
  update(states: readonly DmaState[], index: number, animate: boolean): void;
}

/** The three SVGs the widget server-rendered. */
export interface SgDiagramElements {
  pages: SVGSVGElement;
  iommu: SVGSVGElement;
  device: SVGSVGElement;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySel = Selection<any, Shape, any, any>;

/** The `<g data-scene>` a scene is drawn into (server-rendered, or created). */
function sceneRoot(svg: SVGSVGElement): SVGGElement {
  let g = svg.querySelector<SVGGElement>(':scope > g[data-scene]');
  if (!g) {
    g = document.createElementNS(SVG_NS, 'g') as SVGGElement;
    g.setAttribute('data-scene', '');
    svg.append(g);
  }
  return g;
}

/** Attributes that do not tween: class, colour, entry link, text. */
function setStatic(sel: AnySel): void {
  sel
    .attr('class', (d) => d.cls)
    .attr('style', (d) => (d.color ? `--c:${d.color}` : null))
    .attr('data-entry', (d) => (d.entry === undefined ? null : String(d.entry)))
    .attr('text-anchor', (d) => (d.kind === 'text' && d.anchor && d.anchor !== 'start' ? d.anchor : null))
    .each(function (d) {
      if (d.kind === 'text' && this.textContent !== d.text) this.textContent = d.text;
    });
}

/** Geometry (tweened when animating). */
function setGeometry(sel: AnySel): void {
  sel
    .attr('x', (d) => (d.kind === 'rect' || d.kind === 'text' ? d.x : null))
    .attr('y', (d) => (d.kind === 'rect' || d.kind === 'text' ? d.y : null))
    .attr('width', (d) => (d.kind === 'rect' ? Math.max(0, d.w) : null))
    .attr('height', (d) => (d.kind === 'rect' ? Math.max(0, d.h) : null))
    .attr('rx', (d) => (d.kind === 'rect' && d.rx ? d.rx : null))
    .attr('d', (d) => (d.kind === 'path' ? d.d : null));
}

/**
 * Draws `scene` into `svg`: joins shapes by key (adopting server-rendered elements by their
 * `data-key`), tweens geometry of shapes that stay, fades new ones in and old ones out, and
 * keeps paint order. Also sets the `viewBox` and the `<desc>`.
 */
export function drawScene(svg: SVGSVGElement, scene: Scene, animate: boolean): void {
  svg.setAttribute('viewBox', `0 0 ${scene.width} ${scene.height}`);
  const desc = svg.querySelector(':scope > desc');
  if (desc && desc.textContent !== scene.desc) desc.textContent = scene.desc;
  const root = sceneRoot(svg);
  const motion = animate && !reducedMotion();

  const sel = select(root)
    .selectAll<SVGElement, Shape>(':scope > [data-key]')
    .data(scene.shapes, function (this: SVGElement | SVGGElement, d: Shape) {
      // Data have keys; server-rendered elements have no bound datum yet: use their data-key.
      const datum = d as Shape | undefined;
      return datum ? datum.key : ((this as SVGElement).getAttribute('data-key') ?? '');
    });

  const exit = sel.exit<Shape>();
  // Drop the key at once so a shape coming back is drawn anew, not matched to a fading one.
  exit.attr('data-key', null);
  if (motion) exit.transition().duration(STEP_MS).style('opacity', 0).remove();
  else exit.remove();

  const entered = sel
    .enter()
    .append((d) => document.createElementNS(SVG_NS, d.kind) as SVGElement)
    .attr('data-key', (d) => d.key);
  setStatic(entered);
  setGeometry(entered);
  if (motion) entered.style('opacity', 0).transition().duration(STEP_MS).style('opacity', null);

  sel.interrupt().style('opacity', null);
  setStatic(sel);
  setGeometry(maybeTransition(sel, motion));

  sel.merge(entered).order();
}

/** Creates the diagrams over the widget's three SVGs. */
export function createSgDiagrams(el: SgDiagramElements): SgDiagrams {
  let frameFor: { states: readonly DmaState[]; last: DmaState; frame: SgFrame } | null = null;
  return {
    update(states, index, animate) {
      const state = states[index];
      if (!state) return;
      // The sizes depend on the whole timeline, not on the step: recompute when it changed.
      const last = states[states.length - 1];
      if (!frameFor || frameFor.states !== states || frameFor.last !== last) frameFor = { states, last, frame: sgFrame(states) };
      const frame = frameFor.frame;
      drawScene(el.pages, pagesScene(state, frame), animate);
      drawScene(el.iommu, iommuScene(state, frame), animate);
      drawScene(el.device, deviceScene(state, frame), animate);
    },
  };
}
