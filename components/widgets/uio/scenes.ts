/**
 * The UIO widget's scenes, loaded with its diagrams (the layouts stay out of the page's first
 * bundle): the device (registers, interrupt path, read(), maps; the registers the step
 * changed are marked, so it is given the state before) and physical memory (`layout.ts`).
 */
import type { UioState } from '../../../sims/uio/index.ts';
import type { SceneModule, WidgetCtx } from '../../player/definition.ts';
import { deviceScene, memoryScene } from './layout.ts';

export const uioScenes: SceneModule<UioState, WidgetCtx<unknown, UioState, unknown>> = {
  scenes: {
    device: (c) => deviceScene(c.state, c.prev),
    memory: (c) => memoryScene(c.state),
  },
};
