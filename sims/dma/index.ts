/**
 * Public API of the DMA models, for exercises and views (the `@sims/dma` alias of
 * vitest.config.ts resolves to this file): the scatter-gather / IOMMU model (`dmaModel`) and
 * the caches-and-ownership model (`coherenceModel`) with its session API for exercises
 * (`createDmaSession`, `exploreEvictions`), its DMA-API checker and presets.
 */
export {
  dmaModel,
  KERNEL_VERSION,
  MAX_PAGES,
  validateParams,
  mappedSegments,
  runCoverage,
  bufferPages,
  fmtBytes,
  pfnsText,
} from './model.ts';
export {
  UINT_MAX,
  alignedMaxSegment,
  bytesInPage,
  entryPfns,
  forEachSg,
  forEachSgtableDmaSg,
  forEachSgtableSg,
  pagesSpanned,
  sgAllocTableFromPages,
  sgDmaAddress,
  sgDmaLen,
  sgFromPages,
  sgPhys,
  sgPlacePage,
  subBuffer,
  validateBuffer,
} from './sg.ts';
export type { SgPageDecision } from './sg.ts';
export {
  IOVA_LIMIT,
  finaliseEntry,
  finaliseStart,
  iommuDmaLayout,
  iommuDmaUnmapSg,
  iommuGranules,
  iommuInit,
  iommuMapEntry,
  iommuTranslate,
  iommuUnmapRange,
  iovaAlloc,
  iovaFree,
  roundUpPow2,
} from './iommu.ts';
export type { FinaliseResult, IommuUnmapResult } from './iommu.ts';
export { ENOMEM, dmaDebugCheckSegments, dmaMapSg, dmaMapSgDirect, dmaMapSgIommu, dmaMapSgtable, dmaUnmapSg, dmaUnmapSgtable } from './mapping.ts';
export type { DmaDeviceLimits, IommuMapResult, UnmapResult } from './mapping.ts';
export { checkCoverage, descriptorsFor, deviceTarget, dmaSegs, splitTransfer, toDescriptors } from './device.ts';
export type { CoverageResult } from './device.ts';
export { DMA_PRESETS, sched } from './presets.ts';
export type { DmaPreset } from './presets.ts';
export {
  cleanRange,
  cpuRead,
  cpuWrite,
  deviceRead,
  deviceWrite,
  emptyCache,
  evictLine,
  fillLine,
  flushRange,
  invalidateRange,
  linesOf,
} from './cache.ts';
export type { LineReport } from './cache.ts';
export { isSwiotlbBuffer, swiotlbAlloc, swiotlbInit, swiotlbOrig, swiotlbRelease } from './swiotlb.ts';
export {
  DEBUG_RULES,
  DMA_API_PREFIX,
  DMA_MAPPING_ERROR,
  checkCpuAccess,
  checkLeaks,
  checkSync,
  checkUnmap,
  devAddr,
  findContaining,
  findExact,
  markMapErrorChecked,
} from './debug.ts';
export type { DebugRef, RawFinding, RuleInfo } from './debug.ts';
export {
  DMA_MAPPING_ENOMEM,
  bytesText,
  callText,
  checkerSilent,
  coherenceActor,
  coherenceInitialState,
  coherenceKey,
  coherenceModel,
  coherenceParams,
  dataRight,
  dmaCorrect,
  firstWrongData,
  isCoherent,
  linesText,
  rangeText,
  validateCoherenceParams,
  validateProgram,
} from './coherence.ts';
export type { CoherenceOptions } from './coherence.ts';
export {
  DMA_ATTR_SKIP_CPU_SYNC,
  DMA_BIDIRECTIONAL,
  DMA_FROM_DEVICE,
  DMA_TO_DEVICE,
  createDmaSession,
  defaultBuffer,
  exploreEvictions,
  incomingByte,
  recordRoutine,
} from './session.ts';
export type { CoherentBuffer, DmaApi, DmaSession, DmaSessionOptions, EvictionReport, Scatterlist } from './session.ts';
export { COHERENCE_PRESETS, cohSched } from './coherence-presets.ts';
export type { CoherencePreset } from './coherence-presets.ts';
export { replay, runToEnd } from '../core/model.ts';
export type * from './types.ts';
export type * from './coherence-types.ts';
