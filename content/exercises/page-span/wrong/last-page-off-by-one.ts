// Mistake: takes the last page from addr + len (the first byte after the buffer) instead of addr + len - 1, so a buffer that ends exactly at a page end counts one page too many.
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  if (!Number.isInteger(addr) || addr < 0) throw new RangeError(`bad addr ${addr}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`bad len ${len}`);
  if (!isPowerOfTwo(pageSize)) throw new RangeError(`bad pageSize ${pageSize}`);
  const firstPage = Math.floor(addr / pageSize);
  const lastPage = Math.floor((addr + len) / pageSize);
  const offset = addr % pageSize;
  return { firstPage, lastPage, offset, npages: lastPage - firstPage + 1 };
}

function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
