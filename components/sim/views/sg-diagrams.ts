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
import type { DmaState } from '../../../sims/dma/types.ts';
import { deviceScene, iommuScene, pagesScene, sgFrame, type SgFrame } from '../sg-layout.ts';
import { drawScene } from '../../scene/draw.ts';

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
