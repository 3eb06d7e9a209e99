/**
 * The modules an exercise (its tests or the learner's code) may import besides `vitest` and
 * `@submission`: the simulation engines, so exercises can drive a simulator and be graded
 * by its own accounting. Loaded on demand (each is its own chunk in the browser worker).
 * Node (`npm run grade`) and the browser grader use this same table; Vitest resolves the
 * same names through the `@sims` alias in vitest.config.ts.
 */
export const EXERCISE_MODULES: Record<string, () => Promise<unknown>> = {
  '@sims/tty': () => import('../../sims/tty/index.ts'),
  '@sims/dma': () => import('../../sims/dma/index.ts'),
  '@sims/mm': () => import('../../sims/mm/index.ts'),
  '@sims/uio': () => import('../../sims/uio/index.ts'),
  '@sims/daq': () => import('../../sims/daq/index.ts'),
};
