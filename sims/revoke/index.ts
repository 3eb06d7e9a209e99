/** The revoke-an-mmap model: see ./model.ts. */
export * from './model.ts';
