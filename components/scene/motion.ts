/**
 * Shared bits of the d3 views: transition timing that respects prefers-reduced-motion, and
 * an SVG helper for the accessible title/description every diagram carries.
 */
import type { Selection } from 'd3-selection';
import 'd3-transition';
import { easeCubicOut } from 'd3-ease';

/** Step transitions last this long (ms) unless the learner asked for reduced motion. */
export const STEP_MS = 250;

export function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Applies attributes through a transition, or at once when motion is reduced or `animate` is
 * false (first draw, scrubbing far).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function maybeTransition<E extends Element, D>(sel: Selection<E, D, any, any>, animate: boolean) {
  if (!animate || reducedMotion()) return sel;
  return sel.transition().duration(STEP_MS).ease(easeCubicOut) as unknown as typeof sel;
}

/** Sets up `<title>` and `<desc>` (role=img, aria-labelledby) on an SVG; returns the desc. */
export function accessibleSvg(svg: SVGSVGElement, idPrefix: string, title: string): SVGDescElement {
  svg.setAttribute('role', 'img');
  let t = svg.querySelector(':scope > title');
  if (!t) {
    t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    svg.prepend(t);
  }
  t.id = `${idPrefix}-title`;
  t.textContent = title;
  let d = svg.querySelector<SVGDescElement>(':scope > desc');
  if (!d) {
    d = document.createElementNS('http://www.w3.org/2000/svg', 'desc');
    t.after(d);
  }
  d.id = `${idPrefix}-desc`;
  svg.setAttribute('aria-labelledby', `${t.id} ${d.id}`);
  return d;
}
