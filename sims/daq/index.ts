/**
 * Public API of the data-acquisition model, as exercises, views and the lesson import it:
 * `import { daqModel, defaultParams, summarize, throughput, ringModel, exploreRing } from '@sims/daq'`.
 */
export * from './model.ts';
export * from './costs.ts';
export * from './formula.ts';
export * from './presets.ts';
export * from './ring.ts';
export * from './share.ts';
export { replay, runToEnd } from '../core/model.ts';
export { explore } from '../explore/explore.ts';
export type { ExploreResult, ExploreStats } from '../explore/explore.ts';

import { explore, type ExploreResult } from '../explore/explore.ts';
import { correctHandler, ringExploreSpec, type IrqHandler, type RingChoice, type RingParams } from './ring.ts';

/**
 * Checks the ring protocol over every interleaving of `params` with interrupt handler
 * `handler`: `proved` with counts, or the shortest counterexample schedule. Throws
 * `RangeError` for bad parameters, or what the handler throws.
 */
export function exploreRing(params: RingParams, handler: IrqHandler = correctHandler, maxStates = 500_000): ExploreResult<RingChoice> {
  return explore(ringExploreSpec(params, handler), { maxStates, maxTimeMs: 20_000 });
}
