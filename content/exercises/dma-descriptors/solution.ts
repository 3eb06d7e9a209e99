/**
 * Turns a mapped scatterlist into hardware descriptors of at most `maxLen` bytes.
 *
 * `nents` is what dma_map_sg() returned: only segs[0 .. nents - 1] hold DMA segments. An
 * IOMMU may have merged entries, so it can be less than segs.length (the nents the driver
 * passed in, which dma_unmap_sg() still needs). The entries after it mean nothing.
 *
 *   for_each_sg(sgl, sg, count, i)
 *       split sg_dma_address(sg), sg_dma_len(sg) into pieces of at most maxLen bytes
 */
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  if (!Number.isInteger(nents) || nents < 0 || nents > segs.length) {
    throw new RangeError(`nents must be an integer from 0 to ${segs.length}, got ${nents}`);
  }
  if (!(maxLen >= 1)) throw new RangeError(`maxLen must be at least 1, got ${maxLen}`);

  const out: { addr: number; len: number }[] = [];
  for (let i = 0; i < nents; i++) {
    const { addr, len } = segs[i];
    // Full pieces of maxLen, then what is left; never an empty piece.
    for (let done = 0; done < len; done += maxLen) {
      out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
    }
  }
  return out;
}
