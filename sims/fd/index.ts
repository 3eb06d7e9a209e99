/** The fd-table model: see ./model.ts. */
export * from './model.ts';
