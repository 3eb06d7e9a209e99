/**
 * The authoring tag of every widget and the model id its share links start with (its
 * `Model.id`), for the build-time index of which lesson holds which player
 * (components/player/player-index.ts). The contract test checks it against the definitions.
 */
export const WIDGET_TAGS = { TtySim: 'tty', MmSim: 'mm', SgSim: 'dma', CoherenceSim: 'dma-coherence', UioSim: 'uio', DaqSim: 'daq' } as const;
