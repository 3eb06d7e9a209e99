/**
 * The d3 diagrams of a `<uio-sim>`, loaded with `import()` when the widget comes near the
 * viewport or is first used. The element calls `update` with the timeline and the current
 * index; this module lays both diagrams out (`../uio-layout.ts`, no DOM) and draws them with
 * the keyed d3 join of the scatter-gather views (`drawScene`: ~250 ms tweens between
 * neighbouring steps, none under `prefers-reduced-motion`). It holds no simulation state.
 *
 * The server rendered the initial state's scenes into each SVG's `<g data-scene>` with the
 * same keys, so the first draw adopts those elements in place: the upgrade moves nothing.
 */
import type { UioState } from '../../../sims/uio/types.ts';
import { deviceScene, memoryScene } from '../uio-layout.ts';
import { drawScene } from '../../scene/draw.ts';

/** What the element drives. */
export interface UioDiagrams {
  /** Draws `states[index]`; `animate` tweens from what is on screen (one step moves). */
  update(states: readonly UioState[], index: number, animate: boolean): void;
}

/** The two SVGs the widget server-rendered. */
export interface UioDiagramElements {
  device: SVGSVGElement;
  memory: SVGSVGElement;
}

/** Creates the diagrams over the widget's SVGs. */
export function createUioDiagrams(el: UioDiagramElements): UioDiagrams {
  return {
    update(states, index, animate) {
      const state = states[index];
      if (!state) return;
      drawScene(el.device, deviceScene(state, index > 0 ? states[index - 1] : null), animate);
      drawScene(el.memory, memoryScene(state), animate);
    },
  };
}
