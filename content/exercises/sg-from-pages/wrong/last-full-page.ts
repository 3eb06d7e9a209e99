// Mistake: counts the last page as a whole page even when the buffer ends inside it, so the last entry runs past the end of the buffer.
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
  // The first page holds pageSize - offset bytes, every later page a whole page.
  const bytesIn = (i: number) => (i === 0 ? Math.min(pageSize - offset, len) : pageSize);

  const entries: { pfn: number; offset: number; length: number }[] = [];
  let cur = { pfn: pfns[0], offset, length: bytesIn(0) };
  for (let i = 1; i < npages; i++) {
    const bytes = bytesIn(i);
    if (pfns[i] === pfns[i - 1] + 1 && cur.length + bytes <= maxSegment) {
      cur.length += bytes;
    } else {
      entries.push(cur);
      cur = { pfn: pfns[i], offset: 0, length: bytes };
    }
  }
  entries.push(cur);
  return entries;
}
