/**
 * Builds the scatterlist entries for a buffer of `len` bytes that starts `offset` bytes into
 * the page `pfns[0]` and continues through the pages `pfns[1..]`, merging physically
 * consecutive pages the way sg_alloc_table_from_pages_segment() does.
 *
 * Each entry is what sg_set_page(sg, page, length, offset) would record. An entry grows
 * over the next page while that page's frame number is the previous one's plus 1 and the
 * entry, with the next page's bytes added, is still at most maxSegment bytes long.
 */
export function sgFromPages(
  pfns: number[],
  offset: number,
  len: number,
  pageSize = 4096,
  maxSegment = Infinity,
): { pfn: number; offset: number; length: number }[] {
  if (!(len >= 1)) throw new RangeError(`len must be at least 1, got ${len}`);
  if (!(offset >= 0 && offset < pageSize)) throw new RangeError(`offset must be in [0, ${pageSize}), got ${offset}`);
  if (!(maxSegment >= pageSize)) throw new RangeError(`maxSegment must be at least one page, got ${maxSegment}`);
  const npages = Math.ceil((offset + len) / pageSize); // DIV_ROUND_UP(offset + len, PAGE_SIZE)
  if (pfns.length !== npages) throw new RangeError(`the buffer touches ${npages} pages, but ${pfns.length} frames were given`);

  // The buffer's bytes in page i: the first page from `offset`, the last one up to the
  // buffer's end, every page in between whole. (With one page, both limits apply.)
  const bytesIn = (i: number) => Math.min((i + 1) * pageSize, offset + len) - Math.max(i * pageSize, offset);

  const entries: { pfn: number; offset: number; length: number }[] = [];
  let cur = { pfn: pfns[0], offset, length: bytesIn(0) }; // only the first entry has an offset
  for (let i = 1; i < npages; i++) {
    const bytes = bytesIn(i);
    if (pfns[i] === pfns[i - 1] + 1 && cur.length + bytes <= maxSegment) {
      cur.length += bytes; // physically right after the previous page, and still short enough
    } else {
      entries.push(cur);
      cur = { pfn: pfns[i], offset: 0, length: bytes };
    }
  }
  entries.push(cur);
  return entries;
}
