// Mistake: joins a segment to the previous one when it starts where that one ends, then splits the joined run, so descriptors no longer match the segments.
export function toDescriptors(
  segs: { addr: number; len: number }[],
  nents: number,
  maxLen: number,
): { addr: number; len: number }[] {
  if (!Number.isInteger(nents) || nents < 0 || nents > segs.length) throw new RangeError(`bad nents ${nents}`);
  if (!(maxLen >= 1)) throw new RangeError(`bad maxLen ${maxLen}`);
  const runs: { addr: number; len: number }[] = [];
  for (let i = 0; i < nents; i++) {
    const prev = runs[runs.length - 1];
    if (prev && prev.addr + prev.len === segs[i].addr) prev.len += segs[i].len;
    else runs.push({ ...segs[i] });
  }
  const out: { addr: number; len: number }[] = [];
  for (const { addr, len } of runs) {
    for (let done = 0; done < len; done += maxLen) out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
  }
  return out;
}
