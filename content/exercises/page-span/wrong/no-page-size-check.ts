// Mistake: checks addr and len but not that pageSize is a power of two, so a page size like 3000 gives meaningless pages instead of a RangeError.
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  if (!Number.isInteger(addr) || addr < 0) throw new RangeError(`bad addr ${addr}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`bad len ${len}`);
  const firstPage = Math.floor(addr / pageSize);
  const lastPage = Math.floor((addr + len - 1) / pageSize);
  const offset = addr % pageSize;
  return { firstPage, lastPage, offset, npages: lastPage - firstPage + 1 };
}
