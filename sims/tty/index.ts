/** Public API of the tty model, as exercises import it: `import { ttyModel } from '@sims/tty'`. */
export { ttyModel, EAGAIN, EINTR, KERNEL_VERSION, validateParams, wireTimeNs } from './model.ts';
export { checkAtomicity, circSpaceToEnd, outputOrder, receivedText, canonicalKey } from './analysis.ts';
export { TTY_PRESETS } from './presets.ts';
export { replay, runToEnd } from '../core/model.ts';
export type { TtyParams, TtyState, TtyChoice, WriterSpec, WriterPhase, WriterState, Variant, Cell } from './types.ts';
export * from './share.ts';
export { endOfRunText } from './properties.ts';
