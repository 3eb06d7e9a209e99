// Mistake: trusts nents without checking it, so a negative error code, a fraction or a count larger than the list does not throw a RangeError.
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  if (!(maxLen >= 1)) throw new RangeError(`bad maxLen ${maxLen}`);
  const out: { addr: number; len: number }[] = [];
  for (let i = 0; i < nents; i++) {
    const { addr, len } = segs[i];
    for (let done = 0; done < len; done += maxLen) out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
  }
  return out;
}
