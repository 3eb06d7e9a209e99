// Mistake: uses JavaScript's bitwise operators like C's, but they work on 32-bit integers, so the page numbers of addresses above 2^32 lose their high bits.
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  if (!Number.isInteger(addr) || addr < 0) throw new RangeError(`bad addr ${addr}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`bad len ${len}`);
  if (!isPowerOfTwo(pageSize)) throw new RangeError(`bad pageSize ${pageSize}`);
  const shift = Math.log2(pageSize);
  const firstPage = addr >>> shift;
  const lastPage = (addr + len - 1) >>> shift;
  const offset = addr & (pageSize - 1);
  return { firstPage, lastPage, offset, npages: lastPage - firstPage + 1 };
}

function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
