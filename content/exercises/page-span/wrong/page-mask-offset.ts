// Mistake: takes addr & PAGE_MASK (the base address of the page) as the offset, the bug in the old recipe; the offset in the page is addr & ~PAGE_MASK.
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
  const offset = firstPage * pageSize; // addr & PAGE_MASK
  return { firstPage, lastPage, offset, npages: lastPage - firstPage + 1 };
}

function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
