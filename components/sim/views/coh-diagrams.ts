/**
 * The d3 diagrams of a `<coherence-sim>`, loaded with `import()` when the widget comes near the
 * viewport or is first used. The element calls `update` with the timeline and the current
 * index; this module lays each diagram out (`../coh-layout.ts`, no DOM) and draws it with the
 * keyed join of `./sg-diagrams.ts` (`drawScene`): ~250 ms tweens between neighbouring steps,
 * none under `prefers-reduced-motion`. The ownership token slides because its rectangle keeps
 * its key while its x changes. It holds no simulation state of its own.
 *
 * The server rendered the initial scenes with the same keys (`sceneToSvg`), so the first draw
 * adopts them in place and the upgrade changes nothing on screen.
 */
import type { CoherenceState } from '../../../sims/dma/coherence-types.ts';
import { cohFrame, dataScene, memoryScene, ownerScene, type CohFrame } from '../coh-layout.ts';
import { drawScene } from '../../scene/draw.ts';

/** What the element drives. */
export interface CohDiagrams {
  /** Draws `states[index]`; `animate` tweens from what is on screen (one step moves). */
  update(states: readonly CoherenceState[], index: number, animate: boolean): void;
}

/** The three SVGs the widget server-rendered. */
export interface CohDiagramElements {
  memory: SVGSVGElement;
  owner: SVGSVGElement;
  data: SVGSVGElement;
}

/** Creates the diagrams over the widget's SVGs. */
export function createCohDiagrams(el: CohDiagramElements): CohDiagrams {
  let frame: { params: CoherenceState['params']; f: CohFrame } | null = null;
  return {
    update(states, index, animate) {
      const state = states[index];
      if (!state) return;
      if (!frame || frame.params !== state.params) frame = { params: state.params, f: cohFrame(state.params) };
      const prev = index > 0 ? states[index - 1] : null;
      drawScene(el.memory, memoryScene(state, prev, frame.f), animate);
      drawScene(el.owner, ownerScene(state, prev, frame.f), animate);
      drawScene(el.data, dataScene(state, frame.f), animate);
    },
  };
}
