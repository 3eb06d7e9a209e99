/**
 * Draws a `Scene` (`./scene.ts`) into an SVG with d3: joins shapes by key (adopting the
 * server-rendered elements of `sceneToSvg` by their `data-key`, so the upgrade changes
 * nothing on screen), tweens geometry between neighbouring steps (none under
 * `prefers-reduced-motion`, see `./motion.ts`). Loaded lazily with a widget's diagrams.
 */
import { select, type Selection } from 'd3-selection';
import type { Shape, Scene } from './scene.ts';
import { maybeTransition, reducedMotion, STEP_MS } from './motion.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

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

