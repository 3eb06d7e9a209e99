/** Public API of the tty model, as exercises import it: `import { ttyModel } from '@sims/tty'`. */
export { ttyModel, EAGAIN, EINTR, KERNEL_VERSION, validateParams, wireTimeNs } from './model.ts';
export { checkAtomicity, circSpaceToEnd, outputOrder, receivedText, canonicalKey } from './analysis.ts';
export { TTY_PRESETS } from './presets.ts';
export { replay, runToEnd } from '../core/model.ts';
export type { TtyParams, TtyState, TtyChoice, WriterSpec, WriterPhase, WriterState, Variant, Cell } from './types.ts';
export * from './share.ts';
export { ttyExploreSpec, ttyStuck, noInterleaving, wholeWrites, endOfRunText } from './properties.ts';
export type { TtyProperty } from './properties.ts';

import { explore, type ExploreOptions, type ExploreResult } from '../explore/explore.ts';
import { ttyModel as model } from './model.ts';
import { ttyExploreSpec, type TtyProperty } from './properties.ts';
import type { TtyChoice, TtyParams } from './types.ts';

/** What `proveTty` answers: the explorer's result plus what was asked, so a Lab cell can draw it. */
export type TtyProof = ExploreResult<TtyChoice> & { model: typeof model; params: TtyParams; seed: 1; property: TtyProperty };

/**
 * The Prove-it panel's question as a function (for Lab cells): explores every schedule of
 * `params` and checks `property` (`atomic-write`: each write(2) reaches the far end whole and
 * returns its full size; `no-interleaving`: no writer's bytes split by another's). Returns
 * `proved` with counts, the shortest `counterexample` schedule, or `incomplete` when a limit
 * stopped it; with `model`, `params`, `seed` and `property` attached (the Lab draws it as the
 * panel's answer, the counterexample in a player). `options` default to 500,000 states and
 * 2 s, inside a Lab cell's 3 s deadline. Throws `RangeError` for invalid parameters or bound.
 * Models drivers/tty/tty_io.c and drivers/tty/serial/serial_core.c of Linux 6.12 (model.ts).
 */
export function proveTty(params: TtyParams, property: TtyProperty = 'atomic-write', options: ExploreOptions = {}): TtyProof {
  const result = explore(ttyExploreSpec(params, property), { maxStates: 500_000, maxTimeMs: 2_000, ...options });
  return { ...result, model, params, seed: 1, property };
}
