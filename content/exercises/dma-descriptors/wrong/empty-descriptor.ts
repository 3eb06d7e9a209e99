// Mistake: the split loop runs while done <= len, so a segment whose length is a multiple of maxLen gets an extra descriptor of length 0.
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
    for (let done = 0; done <= len; done += maxLen) out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
  }
  return out;
}
