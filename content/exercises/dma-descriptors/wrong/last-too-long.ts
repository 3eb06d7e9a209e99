// Mistake: makes floor(len / maxLen) descriptors and gives the last one everything left, so it can be longer than maxLen.
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  if (!Number.isInteger(nents) || nents < 0 || nents > segs.length) throw new RangeError(`bad nents ${nents}`);
  if (!(maxLen >= 1)) throw new RangeError(`bad maxLen ${maxLen}`);
  const out: { addr: number; len: number }[] = [];
  for (let i = 0; i < nents; i++) {
    const { addr, len } = segs[i];
    const n = Math.max(1, Math.floor(len / maxLen));
    for (let k = 0; k < n; k++) {
      out.push({ addr: addr + k * maxLen, len: k < n - 1 ? maxLen : len - (n - 1) * maxLen });
    }
  }
  return out;
}
