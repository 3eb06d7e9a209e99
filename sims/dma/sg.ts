/**
 * Scatterlists built from pinned pages, as `lib/scatterlist.c` builds them in Linux 6.12, and
 * the iteration helpers of `include/linux/scatterlist.h`. Pure functions on plain data.
 *
 * A buffer is given the way a driver has it after pinning: the frames of the pages it touches
 * (`pfns`, in buffer order), the offset of its first byte in the first page, and its length.
 */
import type { SgEntry, SgTable, UserBuffer } from './types.ts';

/** `UINT_MAX`: the `max_segment` that `sg_alloc_table_from_pages()` passes, and the largest
 *  `sg->length` an entry can hold. */
export const UINT_MAX = 0xffffffff;

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const isPow2 = (n: number): boolean => isInt(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30;

/** `DIV_ROUND_UP(offset + len, pageSize)`: pages a buffer of `len` bytes at `offset` touches. */
export function pagesSpanned(offset: number, len: number, pageSize: number): number {
  return Math.ceil((offset + len) / pageSize);
}

/** Bytes of the buffer in its page `i` (0-based): the first page from `offset`, the last up to
 *  the end, the ones between whole. */
export function bytesInPage(i: number, offset: number, len: number, pageSize: number): number {
  return Math.min((i + 1) * pageSize, offset + len) - Math.max(i * pageSize, offset);
}

/** Physical address of an entry's first byte: `sg_phys(sg)` = `page_to_phys(sg_page) + offset`. */
export function sgPhys(e: Pick<SgEntry, 'pfn' | 'offset'>, pageSize: number): number {
  return e.pfn * pageSize + e.offset;
}

/** The frames an entry spans, `pfn .. pfn + npages - 1` (physically consecutive). */
export function entryPfns(e: Pick<SgEntry, 'pfn' | 'npages'>): number[] {
  return Array.from({ length: e.npages }, (_, k) => e.pfn + k);
}

/**
 * Checks a pinned buffer and throws `RangeError` naming the first problem: `pageSize` a power
 * of two; `offset` an integer in `[0, pageSize)`; `len` an integer >= 1; `pfns` non-negative
 * integers, exactly `DIV_ROUND_UP(offset + len, pageSize)` of them, each frame's addresses
 * below 2^52. `who` prefixes the message.
 */
export function validateBuffer(pfns: readonly number[], offset: number, len: number, pageSize: number, who = 'sg'): void {
  if (!isPow2(pageSize)) throw new RangeError(`${who}: pageSize must be a power of two, got ${pageSize}`);
  if (!isInt(offset) || offset < 0 || offset >= pageSize) {
    throw new RangeError(`${who}: offset must be an integer in [0, ${pageSize}), got ${offset}`);
  }
  if (!isInt(len) || len < 1) throw new RangeError(`${who}: len must be an integer >= 1, got ${len}`);
  if (!Array.isArray(pfns)) throw new RangeError(`${who}: pfns must be an array`);
  const need = pagesSpanned(offset, len, pageSize);
  if (pfns.length !== need) {
    throw new RangeError(`${who}: a buffer of ${len} bytes at offset ${offset} touches ${need} pages, but ${pfns.length} frames were given`);
  }
  pfns.forEach((p, i) => {
    if (!isInt(p) || p < 0 || (p + 1) * pageSize > 2 ** 52) {
      throw new RangeError(`${who}: pfns[${i}] must be a frame number from 0 with its addresses below 2^52, got ${p}`);
    }
  });
}

/**
 * The effective `max_segment` of `sg_alloc_append_table_from_pages`: `ALIGN_DOWN(max_segment,
 * PAGE_SIZE)` ("the algorithm below requires max_segment to be aligned to PAGE_SIZE otherwise
 * it can overshoot"), with `Infinity`/`null` read as `UINT_MAX`. Throws `RangeError` when the
 * result is less than one page (the kernel WARNs and returns -EINVAL), or for NaN/negative.
 * Source: lib/scatterlist.c, sg_alloc_append_table_from_pages, 6.12.
 */
export function alignedMaxSegment(maxSegment: number | null, pageSize: number): number {
  const m = maxSegment === null ? UINT_MAX : maxSegment;
  if (typeof m !== 'number' || Number.isNaN(m) || m < 0) throw new RangeError(`sg: max_segment must be a number >= pageSize, got ${maxSegment}`);
  const capped = Math.min(m, UINT_MAX);
  const aligned = Math.floor(capped / pageSize) * pageSize;
  if (aligned < pageSize) {
    throw new RangeError(`sg: max_segment ${maxSegment} aligned down to the page size is ${aligned}, less than one page (${pageSize}): the kernel returns -EINVAL`);
  }
  return aligned;
}

/** What placing one page did. */
export type SgPageDecision =
  /** Page `page` started entry `entry`: it is the first page, or its frame does not follow
   *  the previous page's, or the current entry already spans `max_segment`. */
  | { kind: 'start'; page: number; pfn: number; entry: number; reason: 'first' | 'not-consecutive' | 'max-segment' }
  /** Page `page` joined entry `entry` (its frame follows the previous page's). */
  | { kind: 'merge'; page: number; pfn: number; entry: number };

function newEntry(pfn: number, offset: number, length: number, bufferOffset: number): SgEntry {
  return { pfn, offset, length, npages: 1, bufferOffset, dma_address: null, dma_length: 0, owner: 'cpu' };
}

/**
 * One step of `sg_alloc_append_table_from_pages`: places page `page` of the buffer, given the
 * entries built from pages `0 .. page - 1`. Returns the new entry list (a new array; `sgl` is
 * not changed) and what happened.
 *
 * The kernel's rule, per page `j` after the first (6.12, lib/scatterlist.c): it joins the
 * current chunk when `pages_are_mergeable(pages[j], pages[j - 1])` (the frame number is the
 * previous one's plus 1) and the chunk's pages so far times PAGE_SIZE are below
 * `max_segment` (so a chunk holds at most `max_segment / PAGE_SIZE` pages, whatever the
 * offset); each chunk becomes `sg_set_page(s, pages[cur], min(size, chunk_size), offset)`.
 * `maxSeg` must already be aligned (see `alignedMaxSegment`).
 *
 * Simplification: `pages_are_mergeable` also requires the same `dev_pagemap` for device
 * (ZONE_DEVICE) pages; the model has only ordinary RAM pages.
 */
export function sgPlacePage(
  sgl: readonly SgEntry[],
  buf: UserBuffer,
  page: number,
  maxSeg: number,
  pageSize: number,
): { sgl: SgEntry[]; decision: SgPageDecision } {
  const { pfns, offset, len } = buf;
  const bytes = bytesInPage(page, offset, len, pageSize);
  const bufferOffset = Math.max(page * pageSize, offset) - offset;
  const pfn = pfns[page];
  if (page === 0) {
    return { sgl: [newEntry(pfn, offset, bytes, 0)], decision: { kind: 'start', page, pfn, entry: 0, reason: 'first' } };
  }
  const last = sgl[sgl.length - 1];
  const consecutive = pfn === pfns[page - 1] + 1;
  const room = (last.npages + 1) * pageSize <= maxSeg;
  if (consecutive && room) {
    const out = sgl.slice();
    out[out.length - 1] = { ...last, length: last.length + bytes, npages: last.npages + 1 };
    return { sgl: out, decision: { kind: 'merge', page, pfn, entry: out.length - 1 } };
  }
  return {
    sgl: [...sgl, newEntry(pfn, 0, bytes, bufferOffset)],
    decision: { kind: 'start', page, pfn, entry: sgl.length, reason: consecutive ? 'max-segment' : 'not-consecutive' },
  };
}

/**
 * `sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset, size, max_segment, gfp)`:
 * a table whose entries merge physically consecutive pages, each entry spanning at most
 * `ALIGN_DOWN(max_segment, PAGE_SIZE) / PAGE_SIZE` pages. Only entry 0 has a non-zero offset;
 * the last entry is short when the buffer ends inside its last page. `nents = orig_nents` =
 * number of entries; DMA fields empty, every entry CPU-owned.
 *
 * - `pfns`: frames of exactly the pages the buffer touches, in order.
 * - `offset`: bytes into `pfns[0]` (0 .. pageSize - 1); `len`: bytes (>= 1).
 * - `maxSegment`: bytes; default `UINT_MAX` (that is `sg_alloc_table_from_pages`).
 * - `pageSize`: bytes, a power of two; default 4096.
 *
 * Throws `RangeError` on a bad buffer (`validateBuffer`) or a `maxSegment` below one page
 * after alignment. Source: lib/scatterlist.c, sg_alloc_table_from_pages_segment and
 * sg_alloc_append_table_from_pages, 6.12.
 */
export function sgAllocTableFromPages(
  pfns: readonly number[],
  offset: number,
  len: number,
  maxSegment: number = UINT_MAX,
  pageSize = 4096,
): SgTable {
  validateBuffer(pfns, offset, len, pageSize);
  const maxSeg = alignedMaxSegment(maxSegment, pageSize);
  const buf: UserBuffer = { pfns: pfns.slice(), offset, len };
  let sgl: SgEntry[] = [];
  for (let p = 0; p < pfns.length; p++) sgl = sgPlacePage(sgl, buf, p, maxSeg, pageSize).sgl;
  return { sgl, nents: sgl.length, orig_nents: sgl.length };
}

/**
 * The exercise `sg-from-pages`'s rule (content/exercises/sg-from-pages): entries built
 * greedily from the start; an entry grows over the next page while that page's frame is the
 * previous one's plus 1 and the entry's length **in bytes**, with that page's bytes added,
 * stays at most `maxSegment`. Returns `{pfn, offset, length}` per entry.
 *
 * This measures bytes, where the kernel (`sgAllocTableFromPages`) counts whole pages after
 * aligning `max_segment` down: the two agree when `maxSegment` is `Infinity`, and whenever
 * `maxSegment` is a multiple of `pageSize` except when a chunk starts at a non-zero offset or
 * ends in a partial page (the byte rule may then take one more page). `maxSegment` need not
 * be a page multiple here.
 *
 * Throws `RangeError` when `len < 1`, `offset` is outside `[0, pageSize)`, `maxSegment <
 * pageSize`, or `pfns.length` is not `DIV_ROUND_UP(offset + len, pageSize)`. Frames may repeat
 * (never merged).
 */
export function sgFromPages(
  pfns: readonly number[],
  offset: number,
  len: number,
  pageSize = 4096,
  maxSegment = Infinity,
): { pfn: number; offset: number; length: number }[] {
  if (!(pageSize >= 1) || !isInt(pageSize)) throw new RangeError(`sgFromPages: pageSize must be a positive integer, got ${pageSize}`);
  if (!(len >= 1)) throw new RangeError(`sgFromPages: len must be at least 1, got ${len}`);
  if (!(offset >= 0 && offset < pageSize)) throw new RangeError(`sgFromPages: offset must be in [0, ${pageSize}), got ${offset}`);
  if (!(maxSegment >= pageSize)) throw new RangeError(`sgFromPages: maxSegment must be at least one page, got ${maxSegment}`);
  const npages = pagesSpanned(offset, len, pageSize);
  if (!Array.isArray(pfns) || pfns.length !== npages) {
    throw new RangeError(`sgFromPages: the buffer touches ${npages} pages, but ${Array.isArray(pfns) ? pfns.length : 'no'} frames were given`);
  }
  const out: { pfn: number; offset: number; length: number }[] = [];
  let cur = { pfn: pfns[0], offset, length: bytesInPage(0, offset, len, pageSize) };
  for (let i = 1; i < npages; i++) {
    const bytes = bytesInPage(i, offset, len, pageSize);
    if (pfns[i] === pfns[i - 1] + 1 && cur.length + bytes <= maxSegment) {
      cur = { ...cur, length: cur.length + bytes };
    } else {
      out.push(cur);
      cur = { pfn: pfns[i], offset: 0, length: bytes };
    }
  }
  out.push(cur);
  return out;
}

/**
 * The part of a pinned buffer from byte `start` for `len` bytes, as a pinned buffer of its
 * own: the frames it touches, its offset in the first one. This is what the original question's
 * `transfer_chunk` pins for one chunk (the page at a chunk boundary belongs to both chunks).
 * Throws `RangeError` when the range is empty or outside the buffer.
 */
export function subBuffer(buf: UserBuffer, start: number, len: number, pageSize: number): UserBuffer {
  if (!isInt(start) || !isInt(len) || start < 0 || len < 1 || start + len > buf.len) {
    throw new RangeError(`subBuffer: bytes ${start}..${start + len - 1} are not inside the ${buf.len}-byte buffer`);
  }
  const first = Math.floor((buf.offset + start) / pageSize);
  const last = Math.floor((buf.offset + start + len - 1) / pageSize);
  return { pfns: buf.pfns.slice(first, last + 1), offset: (buf.offset + start) % pageSize, len };
}

/** `for_each_sg(sgl, sg, nents, i)`: calls `fn(sg, i)` for the first `nents` entries. Throws
 *  `RangeError` when `nents` is not an integer in `0 .. sgl.length`. */
export function forEachSg(sgl: readonly SgEntry[], nents: number, fn: (sg: SgEntry, i: number) => void): void {
  if (!isInt(nents) || nents < 0 || nents > sgl.length) throw new RangeError(`for_each_sg: nents ${nents} is outside 0..${sgl.length}`);
  for (let i = 0; i < nents; i++) fn(sgl[i], i);
}

/** `for_each_sgtable_sg(sgt, sg, i)`: the CPU entries, `orig_nents` of them
 *  (include/linux/scatterlist.h, 6.12). */
export function forEachSgtableSg(sgt: SgTable, fn: (sg: SgEntry, i: number) => void): void {
  forEachSg(sgt.sgl, sgt.orig_nents, fn);
}

/** `for_each_sgtable_dma_sg(sgt, sg, i)`: the DMA segments, `nents` of them; read them with
 *  `sg_dma_address`/`sg_dma_len` (include/linux/scatterlist.h, 6.12). Only meaningful after
 *  `dma_map_sgtable` has set `nents` to the mapped count. */
export function forEachSgtableDmaSg(sgt: SgTable, fn: (sg: SgEntry, i: number) => void): void {
  forEachSg(sgt.sgl, sgt.nents, fn);
}

/** `sg_dma_address(sg)`; throws `Error` on an entry that holds no DMA segment (the kernel would
 *  hand the device `DMA_MAPPING_ERROR`). */
export function sgDmaAddress(sg: SgEntry): number {
  if (sg.dma_address === null) throw new Error('sg_dma_address: this entry holds no DMA segment (DMA_MAPPING_ERROR)');
  return sg.dma_address;
}

/** `sg_dma_len(sg)`: 0 for an entry that holds no DMA segment. */
export function sgDmaLen(sg: SgEntry): number {
  return sg.dma_length;
}
