/**
 * Which pages a user buffer [addr, addr + len) touches, and where it starts in the first one.
 *
 * In C a driver would write, with PAGE_MASK = ~(PAGE_SIZE - 1):
 *
 *   first_page = (addr & PAGE_MASK) >> PAGE_SHIFT;
 *   last_page  = ((addr + len - 1) & PAGE_MASK) >> PAGE_SHIFT;
 *   offset     = offset_in_page(addr);           // addr & ~PAGE_MASK
 *   npages     = last_page - first_page + 1;     // = DIV_ROUND_UP(offset + len, PAGE_SIZE)
 *
 * JavaScript's bitwise operators work on 32-bit integers, and user addresses on x86-64 go up
 * to 2^47, so the same arithmetic is done with Math.floor and %, which are exact for
 * integers below 2^53 and a power-of-two page size.
 */
export function pageSpan(
  addr: number,
  len: number,
  pageSize = 4096,
): { firstPage: number; lastPage: number; offset: number; npages: number } {
  if (!Number.isInteger(addr) || addr < 0) throw new RangeError(`addr must be a non-negative integer, got ${addr}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`len must be an integer >= 1, got ${len}`);
  if (!isPowerOfTwo(pageSize)) throw new RangeError(`pageSize must be a power of two, got ${pageSize}`);

  const firstPage = Math.floor(addr / pageSize); // addr >> PAGE_SHIFT
  const lastPage = Math.floor((addr + len - 1) / pageSize); // the page of the LAST byte, not of addr + len
  const offset = addr % pageSize; // offset_in_page(addr) = addr & ~PAGE_MASK
  return { firstPage, lastPage, offset, npages: lastPage - firstPage + 1 };
}

function isPowerOfTwo(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
