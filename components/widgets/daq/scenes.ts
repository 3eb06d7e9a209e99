/**
 * The data-acquisition widget's scenes, loaded with its diagrams (d3 stays out of the page's
 * first bundle): the lanes timeline and the buffers of the step shown (`layout.ts`). Their
 * sizes are fixed (`DAQ_SCENE_W` wide), so no per-timeline frame is needed.
 */
import type { DaqState } from '../../../sims/daq/index.ts';
import type { SceneModule, WidgetCtx } from '../../player/definition.ts';
import { buffersScene, timelineScene } from './layout.ts';

export const daqScenes: SceneModule<DaqState, WidgetCtx<unknown, DaqState, unknown>> = {
  scenes: {
    timeline: (c) => timelineScene(c.state),
    buffers: (c) => buffersScene(c.state),
  },
};
