/**
 * The scatterlist entries { pfn, offset, length } for a buffer of `len` bytes starting
 * `offset` bytes into page pfns[0], merging physically consecutive pages while an entry
 * stays at most `maxSegment` bytes. Throws RangeError for bad arguments (see the statement).
 */
export function sgFromPages(
  pfns: number[],
  offset: number,
  len: number,
  pageSize = 4096,
  maxSegment = Infinity,
): { pfn: number; offset: number; length: number }[] {
  throw new Error('not implemented');
}
