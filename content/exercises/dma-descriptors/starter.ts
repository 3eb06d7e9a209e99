/**
 * Hardware descriptors for a mapped scatterlist: each of the first `nents` segments (the count
 * dma_map_sg returned), in order, split into pieces of at most `maxLen` bytes.
 * Throws RangeError for a bad nents or maxLen (see the statement).
 */
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  throw new Error('not implemented');
}
