/**
 * Public API of the UIO / user-space DMA model, as exercises and views import it:
 * `import { createSession, uioModel, UIO_PRESETS, REG } from '@sims/uio'`.
 */
export {
  uioModel,
  initialState,
  validateParams,
  validateUserOp,
  validateDelivery,
  stepUnchecked,
  stepUserOp,
  applyUserOp,
  sysfsRead,
  readReg,
  aWoken,
  ownerAt,
  opLabel,
  choiceKey,
  canonicalKey,
  chunkBounds,
  toBytes,
  bytesText,
  errnoValue,
  KERNEL_VERSION,
  MAX_FRAMES,
  MAX_PROC_PAGES,
  MAX_DELIVERY_BYTES,
  MAX_CHUNKS,
  MAX_DELIVERIES,
  MAX_LOAD,
  VFIO_PCI_OFFSET_SHIFT,
  SRC,
} from './model.ts';
export type { Ret } from './model.ts';
export * from './constants.ts';
export { createSession, failed, PATHS } from './session.ts';
export type { UioSession, UioMapping, UioReport, SysResult, DeliverOptions, SessionOptions } from './session.ts';
export { UIO_PRESETS, baseParams, REGS_MAP, DMA_MAP, REGS_VA, BUF_VA, BUF_BUS, VFIO_IOVA } from './presets.ts';
export type { UioPreset } from './presets.ts';
export { MEMORY_PATHS, memoryPath, memoryPathNarration } from './memory-paths.ts';
export type { MemoryPath, Verdict, Certainty, Claim } from './memory-paths.ts';
export { replay, runToEnd } from '../core/model.ts';
export type * from './types.ts';
