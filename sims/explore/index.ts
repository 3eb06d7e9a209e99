/**
 * Public API of the model checker (the `@sims/explore` barrel): `explore` / `createExplorer`
 * over an `ExploreSpec`, the result and progress types, and the names of the built-in checks.
 */
export * from './explore.ts';
export * from './names.ts';
