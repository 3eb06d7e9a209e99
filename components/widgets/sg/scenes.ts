/**
 * The scatter-gather widget's scenes, loaded with its diagrams (d3-shape stays out of the
 * page's first bundle): one DOM-free layout per figure (`layout.ts`) over the timeline's
 * frame (`sgFrame`: the frames, IOVA granules and descriptors a whole run needs).
 */
import type { DmaState } from '../../../sims/dma/index.ts';
import type { SceneModule, WidgetCtx } from '../../player/definition.ts';
import { deviceScene, iommuScene, pagesScene, sgFrame, type SgFrame } from './layout.ts';

export const sgScenes: SceneModule<DmaState, WidgetCtx<unknown, DmaState, unknown>> = {
  frame: sgFrame,
  scenes: {
    pages: (c, f: SgFrame) => pagesScene(c.state, f),
    iommu: (c, f: SgFrame) => iommuScene(c.state, f),
    device: (c, f: SgFrame) => deviceScene(c.state, f),
  },
};
