/**
 * The tty widget's scenes, loaded with its diagrams: the buffer (the xmit ring, or the
 * pipe's pages) as a DOM-free scene (`layout.ts`). The swimlane is a custom view (`views.ts`).
 */
import type { TtyState } from '../../../sims/tty/index.ts';
import type { SceneModule, WidgetCtx } from '../../player/definition.ts';
import { bufferScene } from './layout.ts';

export const ttyScenes: SceneModule<TtyState, WidgetCtx<unknown, TtyState, unknown>> = {
  scenes: {
    buffer: (c) => bufferScene(c.state),
  },
};
