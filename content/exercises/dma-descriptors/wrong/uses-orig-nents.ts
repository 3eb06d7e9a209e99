// Mistake: loops over every entry of the list (the nents passed to dma_map_sg) instead of the count dma_map_sg returned, so it sends the device entries that are not mapped segments.
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  if (!Number.isInteger(nents) || nents < 0 || nents > segs.length) throw new RangeError(`bad nents ${nents}`);
  if (!(maxLen >= 1)) throw new RangeError(`bad maxLen ${maxLen}`);
  const out: { addr: number; len: number }[] = [];
  for (let i = 0; i < segs.length; i++) {
    const { addr, len } = segs[i];
    for (let done = 0; done < len; done += maxLen) out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
  }
  return out;
}
