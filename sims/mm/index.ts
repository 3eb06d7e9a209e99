/** Public API of the mm model, as exercises and views import it: `import { mmModel, createSession } from '@sims/mm'`. */
export { mmModel, initialState, validateParams, driverOpLabel, choiceKey, applyDriverOp, stepUnchecked, MAX_PROCS, MAX_FRAMES, KERNEL_VERSION } from './model.ts';
export { checkPins, canonicalKey } from './accounting.ts';
export type { PinReport } from './accounting.ts';
export { createSession } from './session.ts';
export type { KernelApi, MmSession } from './session.ts';
export { gupCall, unpinCall, putPageCall, lookupPfnsCall } from './gup.ts';
export type { GupApi, GupResult } from './gup.ts';
export { folioMaybeDmaPinned } from './memory.ts';
export * from './constants.ts';
export {
  PAGE_SHIFT,
  PAGE_SIZE,
  PAGE_MASK,
  PTRS_PER_TABLE,
  TASK_SIZE_MAX,
  USER_ADDRESS_LIMIT,
  LEVELS,
  LEVEL_BITS,
  LEVEL_SHIFT,
  splitVirtualAddress,
  joinVirtualAddress,
  offsetInPage,
  pageBase,
  pageSpan,
  virtualPageNumber,
  walk,
  hex,
  indexPath,
} from './walk.ts';
export type { VaParts, PageSpan, WalkStep, WalkOutcome, WalkResult } from './walk.ts';
export { MM_PRESETS, BUF, FILE_MAP } from './presets.ts';
export type { MmPreset } from './presets.ts';
export { replay, runToEnd } from '../core/model.ts';
export type * from './types.ts';
export * from './share.ts';
