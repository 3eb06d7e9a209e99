/**
 * The pages that the user buffer [addr, addr + len) touches: the virtual page numbers of its
 * first and last byte, the offset of `addr` within its page, and how many pages that is.
 * Throws RangeError for a bad addr, len or pageSize (see the statement).
 */
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  throw new Error('not implemented');
}
