/**
 * The driver's and the device's side of a scatter-gather transfer: cutting a large buffer into
 * commands the hardware accepts (the original question's 256 KiB loop), turning DMA segments into
 * descriptors no longer than the device takes, where the device's accesses really land, and a
 * check that a whole run touched every byte of the buffer exactly once. Pure functions.
 *
 * None of this is kernel code: it is what a driver (like the original question's `transfer_chunk`) and its
 * hardware do with what the DMA API returned.
 */
import { iommuTranslate } from './iommu.ts';
import { bytesInPage, forEachSg } from './sg.ts';
import type { Descriptor, DeviceAccess, DmaSeg, IommuState, PhysPiece, PostedDescriptor, SgEntry, TransferChunk, UserBuffer } from './types.ts';

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/**
 * The original question's driver loop: `chunk_bytes = min(total - transferred, HW_DMA_MAX)` until all is
 * transferred. Returns the chunks in order, each `{start, len}` with `len <= maxPerCommand`;
 * `[]` for `len` 0. Throws `RangeError` unless `len` is an integer >= 0 and `maxPerCommand`
 * an integer >= 1.
 */
export function splitTransfer(len: number, maxPerCommand: number): TransferChunk[] {
  if (!isInt(len) || len < 0) throw new RangeError(`splitTransfer: len must be an integer >= 0, got ${len}`);
  if (!isInt(maxPerCommand) || maxPerCommand < 1) throw new RangeError(`splitTransfer: maxPerCommand must be an integer >= 1, got ${maxPerCommand}`);
  const out: TransferChunk[] = [];
  for (let start = 0; start < len; start += maxPerCommand) out.push({ start, len: Math.min(maxPerCommand, len - start) });
  return out;
}

/**
 * The DMA segments a driver reads after mapping: `for_each_sg(sgl, sg, count, i)` with
 * `sg_dma_address(sg)` and `sg_dma_len(sg)`, where `count` is what `dma_map_sg` returned (or
 * `sgt->nents` after `dma_map_sgtable`). Throws `RangeError` on a bad count, and `Error` if
 * one of those entries holds no DMA segment (a wrong count).
 */
export function dmaSegs(sgl: readonly SgEntry[], count: number): DmaSeg[] {
  const out: DmaSeg[] = [];
  forEachSg(sgl, count, (sg, i) => {
    if (sg.dma_address === null || sg.dma_length === 0) throw new Error(`dmaSegs: entry ${i} holds no DMA segment: is ${count} the mapped count?`);
    out.push({ addr: sg.dma_address, len: sg.dma_length });
  });
  return out;
}

/**
 * The exercise `dma-descriptors`'s function: the first `nents` segments (only those are valid:
 * `nents` is what `dma_map_sg` returned), in order, each cut into descriptors of at most
 * `maxLen` bytes covering it exactly: full pieces of `maxLen`, then the rest. Never merges
 * across segments and never emits an empty descriptor (a 0-byte segment gives none).
 * Throws `RangeError` unless `nents` is an integer in `0 .. segs.length` and `maxLen >= 1`.
 */
export function toDescriptors(segs: readonly DmaSeg[], nents: number, maxLen: number): Descriptor[] {
  if (!isInt(nents) || nents < 0 || nents > segs.length) throw new RangeError(`toDescriptors: nents must be an integer from 0 to ${segs.length}, got ${nents}`);
  if (!(maxLen >= 1)) throw new RangeError(`toDescriptors: maxLen must be at least 1, got ${maxLen}`);
  const out: Descriptor[] = [];
  for (let i = 0; i < nents; i++) {
    const { addr, len } = segs[i];
    for (let done = 0; done < len; done += maxLen) out.push({ addr: addr + done, len: Math.min(maxLen, len - done) });
  }
  return out;
}

/** `toDescriptors` over a mapped table's first `count` entries, each descriptor labelled with
 *  its DMA segment and piece (for the device's list in the model and the views). */
export function descriptorsFor(sgl: readonly SgEntry[], count: number, maxLen: number): PostedDescriptor[] {
  const segs = dmaSegs(sgl, count);
  const out: PostedDescriptor[] = [];
  segs.forEach((s, seg) => {
    const parts = toDescriptors([s], 1, maxLen);
    parts.forEach((d, part) => out.push({ ...d, seg, part, parts: parts.length, done: false }));
  });
  return out;
}

/** Splits a physical range at frame boundaries. */
function byFrame(phys: number, len: number, pageSize: number): PhysPiece[] {
  const out: PhysPiece[] = [];
  let a = phys;
  const end = phys + len;
  while (a < end) {
    const pfn = Math.floor(a / pageSize);
    const n = Math.min(end, (pfn + 1) * pageSize) - a;
    out.push({ phys: a, len: n, pfn });
    a += n;
  }
  return out;
}

/**
 * Where `len` bytes at bus address `addr` land in physical memory, one piece per frame:
 * through the IOMMU's page table when it is enabled, else bus address = physical address.
 * Throws `Error` ("IOMMU fault") for an IOVA that is not mapped.
 */
export function deviceTarget(iommu: IommuState, addr: number, len: number, pageSize: number): PhysPiece[] {
  if (!iommu.enabled) return byFrame(addr, len, pageSize);
  return iommuTranslate(iommu, addr, len, pageSize).flatMap((p) => byFrame(p.phys, p.len, pageSize));
}

/** The result of `checkCoverage`. */
export interface CoverageResult {
  /** Every byte of the buffer touched exactly once and nothing else touched. */
  ok: boolean;
  /** Plain sentences, one per problem (empty when ok). */
  problems: string[];
}

/**
 * Checks that the device's accesses cover the pinned buffer's bytes exactly: every byte once,
 * none twice, nothing outside the buffer (frames must be distinct in `buf.pfns`).
 */
export function checkCoverage(buf: UserBuffer, pageSize: number, accesses: readonly DeviceAccess[]): CoverageResult {
  const problems: string[] = [];
  // Expected byte range per frame.
  const want = new Map<number, { from: number; to: number }>();
  buf.pfns.forEach((pfn, i) => {
    const from = i === 0 ? buf.offset : 0;
    want.set(pfn, { from, to: from + bytesInPage(i, buf.offset, buf.len, pageSize) });
  });
  const got = new Map<number, { from: number; to: number }[]>();
  for (const a of accesses) {
    for (const p of a.phys) {
      const list = got.get(p.pfn) ?? [];
      const from = p.phys - p.pfn * pageSize;
      list.push({ from, to: from + p.len });
      got.set(p.pfn, list);
    }
  }
  for (const [pfn, list] of got) {
    const w = want.get(pfn);
    const hex = `0x${pfn.toString(16)}`;
    if (!w) {
      problems.push(`The device touched frame ${hex}, which is not in the buffer.`);
      continue;
    }
    list.sort((x, y) => x.from - y.from);
    let at = w.from;
    for (const r of list) {
      if (r.from < w.from || r.to > w.to) problems.push(`The device touched bytes ${r.from}..${r.to - 1} of frame ${hex}, outside the buffer's ${w.from}..${w.to - 1}.`);
      else if (r.from < at) problems.push(`The device touched bytes ${r.from}..${Math.min(at, r.to) - 1} of frame ${hex} twice.`);
      else if (r.from > at) problems.push(`The device never touched bytes ${at}..${r.from - 1} of frame ${hex}.`);
      at = Math.max(at, r.to);
    }
    if (at < w.to) problems.push(`The device never touched bytes ${at}..${w.to - 1} of frame ${hex}.`);
  }
  for (const [pfn, w] of want) {
    if (!got.has(pfn)) problems.push(`The device never touched frame 0x${pfn.toString(16)} (bytes ${w.from}..${w.to - 1}).`);
  }
  return { ok: problems.length === 0, problems };
}
