/**
 * Public API of the scatter-gather / IOMMU model, for exercises and views (the `@sims/dma`
 * alias of vitest.config.ts resolves to this file).
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
export { replay, runToEnd } from '../core/model.ts';
export type * from './types.ts';
