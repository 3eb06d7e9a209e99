/**
 * The data-acquisition widget's DOM-free modules (lessons import the components from the
 * widgets barrel, `@components/widgets`):
 *   DaqSim.astro        the player over sims/daq (definition.ts + element.ts: timeline, buffers, counters, formula, parameters)
 *   DaqRingProof.astro  Prove it: the ring protocol under the explorer, with a player
 *   DaqFigure.astro     one computed number for the text
 *   DaqBreakdown.astro  the designs side by side, and where the time goes
 *   DaqCosts.astro      the cost table with its sources
 * DOM-free parts: definition.ts (with fields.ts), format.ts, layout.ts, html.ts, summary.ts.
 */
export * from './definition.ts';
export * from './format.ts';
export * from './layout.ts';
export * from './html.ts';
export * from './summary.ts';
