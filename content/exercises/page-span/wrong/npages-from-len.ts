// Mistake: counts the pages as ceil(len / pageSize), ignoring the offset, so a buffer that does not start on a page boundary is one page short.
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  if (!Number.isInteger(addr) || addr < 0) throw new RangeError(`bad addr ${addr}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`bad len ${len}`);
  if (!isPowerOfTwo(pageSize)) throw new RangeError(`bad pageSize ${pageSize}`);
  const firstPage = Math.floor(addr / pageSize);
  const lastPage = Math.floor((addr + len - 1) / pageSize);
  const offset = addr % pageSize;
  return { firstPage, lastPage, offset, npages: Math.ceil(len / pageSize) };
}

function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
