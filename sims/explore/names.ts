/**
 * Names the explorer reports, in a module of their own so a page can compare against them
 * without loading the explorer (which runs in a Worker).
 */

/** The invariant name of a deadlock counterexample (see `ExploreSpec.stuck` in `./explore.ts`). */
export const DEADLOCK = 'no deadlock';
