/**
 * The widgets lessons use, one import: `import { SgSim, MmSim } from '@components/widgets';`.
 * Each is a folder `components/widgets/<name>/` (definition, words, HTML, scenes, component,
 * CSS, element, tests); see docs/ARCHITECTURE.md.
 */
export { default as SgSim } from './sg/SgSim.astro';
export { default as TtySim } from './tty/TtySim.astro';
export { default as CoherenceSim } from './coherence/CoherenceSim.astro';
export { default as UioSim } from './uio/UioSim.astro';
export { default as MemoryPaths } from './uio/MemoryPaths.astro';
export { default as MmSim } from './mm/MmSim.astro';
export { default as DaqSim } from './daq/DaqSim.astro';
export { default as DaqRingProof } from './daq/DaqRingProof.astro';
export { default as DaqFigure } from './daq/DaqFigure.astro';
export { default as DaqBreakdown } from './daq/DaqBreakdown.astro';
export { default as DaqCosts } from './daq/DaqCosts.astro';
