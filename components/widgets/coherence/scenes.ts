/**
 * The coherence widget's scenes, loaded with its diagrams (the layouts stay out of the page's
 * first bundle): one DOM-free layout per figure (`layout.ts`) over the run's frame
 * (`cohFrame`: sizes fixed by the parameters). The memory and ownership scenes mark what the
 * step changed, so they are given the state before it.
 */
import type { CoherenceState } from '../../../sims/dma/index.ts';
import type { SceneModule, WidgetCtx } from '../../player/definition.ts';
import { cohFrame, dataScene, memoryScene, ownerScene, type CohFrame } from './layout.ts';

export const cohScenes: SceneModule<CoherenceState, WidgetCtx<unknown, CoherenceState, unknown>> = {
  frame: (states) => cohFrame(states[0].params),
  scenes: {
    memory: (c, f: CohFrame) => memoryScene(c.state, c.prev, f),
    owner: (c, f: CohFrame) => ownerScene(c.state, c.prev, f),
    data: (c, f: CohFrame) => dataScene(c.state, f),
  },
};
