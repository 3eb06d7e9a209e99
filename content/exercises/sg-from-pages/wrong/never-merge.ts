// Mistake: gives every page its own entry, like the old first/middle/last recipe, instead of merging physically consecutive pages.
export function sgFromPages(
  pfns: number[],
  offset: number,
  len: number,
  pageSize = 4096,
  maxSegment = Infinity,
): { pfn: number; offset: number; length: number }[] {
  if (!(len >= 1)) throw new RangeError(`bad len ${len}`);
  if (!(offset >= 0 && offset < pageSize)) throw new RangeError(`bad offset ${offset}`);
  if (!(maxSegment >= pageSize)) throw new RangeError(`bad maxSegment ${maxSegment}`);
  const npages = Math.ceil((offset + len) / pageSize);
  if (pfns.length !== npages) throw new RangeError(`expected ${npages} frames, got ${pfns.length}`);
  const bytesIn = (i: number) => Math.min((i + 1) * pageSize, offset + len) - Math.max(i * pageSize, offset);

  // sg_set_page() for the first page, each middle page and the last page, one entry each.
  return pfns.map((pfn, i) => ({ pfn, offset: i === 0 ? offset : 0, length: bytesIn(i) }));
}
