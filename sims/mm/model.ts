/**
 * The memory model: a process address space on x86-64 (4-level page tables, demand
 * faults, copy-on-write after fork), physical frames with refcounts and pins, a driver
 * that pins (or fails to pin) a user buffer, a device that writes into frames by DMA, and
 * the kernel moving pages that are not pinned (compaction, swap-out).
 *
 * The scheduler picks which actor runs next (`enabled` lists them):
 * - a process runs its next op (load, store, fork, munmap, exit; `params.programs`), or in
 *   sandbox mode any load or store of its pages;
 * - the driver makes its next call (`params.driver`): mmap_read_lock/unlock,
 *   pin_user_pages(_fast), get_user_pages, the pagemap-style lookup, start/wait DMA,
 *   unpin_user_pages(_dirty_lock), put_page, set_page_dirty_lock;
 * - the device writes the next page of its transfer into whatever frame is at the bus
 *   address it was given;
 * - the kernel tries to migrate (compaction) or swap out one page, at most
 *   `params.kernel.maxEvents` times.
 *
 * Modelled on Linux 6.12; each step cites its function (see ./memory.ts and ./gup.ts for
 * the fault, fork, migration, swap and GUP paths). Departures from the kernel:
 * 1. One step is one whole operation: a fault, a GUP call (with its faults and long-term
 *    migrations), a compaction of one page, a fork. Races inside them (GUP-fast vs fork's
 *    write_protect_seq, a migration entry seen by a concurrent fault) are not modelled.
 * 2. The driver runs in a system call of another thread of process 0, so process 0's ops
 *    and the driver's calls interleave; it always works on process 0's mm.
 * 3. `mmap_lock`: only the driver holds it across steps (for reading); faults take and drop
 *    it within their step; fork, munmap and exit sleep in `mmap_write_lock` while the driver
 *    holds it. Reader/writer fairness (a waiting writer blocking new readers) is left out.
 * 4. No IOMMU: the device is programmed with physical frame numbers (bus address =
 *    physical address), as on a machine without one or in passthrough mode.
 * 5. Compaction targets the highest free frame above the page in its zone (the free scanner
 *    runs down from the zone's end) and may pick any movable page; real compaction works on
 *    pageblocks when a high-order allocation needs them. Migration for other reasons (NUMA,
 *    memory hot-unplug) is not modelled separately: it follows the same rules.
 * 6. Reclaim swaps out only anonymous pages, one per step, with no swap cache (a page with
 *    an extra reference is refused outright; the kernel may unmap it first and then fail to
 *    free it). A double unpin is recorded and not applied (the kernel would corrupt the
 *    refcount).
 * 7. Pins are per order-0 page (no large folios, no `_pincount` field), so `pincount` is
 *    `floor(refcount / GUP_PIN_COUNTING_BIAS)`; 1024 plain references would look like a
 *    pin, as in the kernel.
 */
import type { Model, StepEvent, KernelSource } from '../core/model.ts';
import { CALLER_FLAGS, EINVAL, ENOMEM, FOLL_GET, FOLL_PIN, follFlagsText, retText } from './constants.ts';
import { gupCall, holdKindOf, lookupPfnsCall, putPageCall, setPageDirtyCall, unpinCall, GUP_SRC } from './gup.ts';
import type { GupApi } from './gup.ts';
import {
  SRC,
  compactionTarget,
  draft,
  emptyPgd,
  exitMm,
  findVma,
  folioMaybeDmaPinned,
  forkMm,
  freeSwapSlot,
  getPte,
  handleMmFault,
  migrationBlocker,
  moveFrame,
  pfnLabel,
  ptesInRange,
  removeVmaRange,
  setPte,
  src,
  swapOutFrame,
  zapRange,
  zoneName,
} from './memory.ts';
import { PAGE_SIZE, TASK_SIZE_MAX, hex, indexPath } from './walk.ts';
import type { DmaOutcome, DriverOp, Frame, FrameMapping, MmChoice, MmParams, MmState, Proc, ProcessOp, Pte, Vma, VmaSpec } from './types.ts';

export { KERNEL_VERSION } from './memory.ts';
export { checkPins, canonicalKey } from './accounting.ts';
export type { PinReport } from './accounting.ts';

/** Most processes a run may have (process 0 and two children). */
export const MAX_PROCS = 3;
/** Most frames (keeps the strip drawable and states small). */
export const MAX_FRAMES = 64;
/** Most pages in one VMA. */
export const MAX_VMA_PAGES = 64;
/** Most swap slots. */
export const MAX_SWAP = 64;

// ---------------------------------------------------------------------------------------
// Parameters.

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

function checkUserAddr(where: string, va: unknown): void {
  if (!isInt(va) || va < 0 || va >= TASK_SIZE_MAX) throw new RangeError(`mm params: ${where} must be a user address (an integer in 0 .. 2^47 - 4096), got ${String(va)}`);
}

function validateVma(v: VmaSpec, i: number): void {
  const w = `vmas[${i}]`;
  if (typeof v !== 'object' || v === null) throw new RangeError(`mm params: ${w} must be an object`);
  checkUserAddr(`${w}.start`, v.start);
  if (v.start % PAGE_SIZE !== 0) throw new RangeError(`mm params: ${w}.start must be page aligned (a multiple of 4096), got ${hex(v.start)}`);
  if (!isInt(v.length) || v.length <= 0 || v.length % PAGE_SIZE !== 0) {
    throw new RangeError(`mm params: ${w}.length must be a positive multiple of 4096 bytes, got ${String(v.length)}`);
  }
  if (v.length / PAGE_SIZE > MAX_VMA_PAGES) throw new RangeError(`mm params: ${w} is longer than ${MAX_VMA_PAGES} pages`);
  if (v.start + v.length > TASK_SIZE_MAX) throw new RangeError(`mm params: ${w} ends above TASK_SIZE_MAX`);
  if (v.kind !== 'anon' && v.kind !== 'file') throw new RangeError(`mm params: ${w}.kind must be 'anon' or 'file', got ${JSON.stringify(v.kind)}`);
  if (v.prot !== 'none' && v.prot !== 'r' && v.prot !== 'rw') throw new RangeError(`mm params: ${w}.prot must be 'none', 'r' or 'rw', got ${JSON.stringify(v.prot)}`);
  if (v.kind === 'file') {
    if (typeof v.file !== 'string' || v.file.length === 0 || v.file.length > 32) throw new RangeError(`mm params: ${w}.file must name the file (1..32 characters)`);
    if (v.pgoff !== undefined && (!isInt(v.pgoff) || v.pgoff < 0)) throw new RangeError(`mm params: ${w}.pgoff must be a non-negative integer`);
  } else if (v.shared) {
    throw new RangeError(`mm params: ${w}: shared anonymous mappings (shmem) are not modelled`);
  }
  if (v.shared !== undefined && typeof v.shared !== 'boolean') throw new RangeError(`mm params: ${w}.shared must be a boolean`);
  if (v.name !== undefined && (typeof v.name !== 'string' || v.name.length > 32)) throw new RangeError(`mm params: ${w}.name must be a string of at most 32 characters`);
}

function validateProcessOp(op: ProcessOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`mm params: ${where} must be an object`);
  switch (op.kind) {
    case 'read':
    case 'write':
      checkUserAddr(`${where}.va`, op.va);
      return;
    case 'munmap':
      checkUserAddr(`${where}.start`, op.start);
      if (!isInt(op.length) || op.length < 0) throw new RangeError(`mm params: ${where}.length must be a non-negative integer`);
      return;
    case 'fork':
    case 'exit':
      return;
    default:
      throw new RangeError(`mm params: ${where}.kind ${JSON.stringify((op as { kind: unknown }).kind)} is not a process op`);
  }
}

function validateDriverOp(op: DriverOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`mm params: ${where} must be an object`);
  const optCount = (n: unknown, k: string): void => {
    if (n !== undefined && (!isInt(n) || n < 0 || n > 4096)) throw new RangeError(`mm params: ${where}.${k} must be an integer from 0 to 4096`);
  };
  switch (op.kind) {
    case 'mmap_read_lock':
    case 'mmap_read_unlock':
    case 'wait_dma':
      return;
    case 'pin_user_pages':
    case 'pin_user_pages_fast':
    case 'get_user_pages':
      if (!isInt(op.flags) || op.flags < 0 || op.flags & ~(CALLER_FLAGS | FOLL_PIN | FOLL_GET)) {
        throw new RangeError(`mm params: ${where}.flags must combine FOLL_WRITE, FOLL_LONGTERM (and, to show the WARN, FOLL_PIN or FOLL_GET)`);
      }
    // fallthrough
    case 'lookup_pfns':
      checkUserAddr(`${where}.start`, op.start);
      if (!isInt(op.nrPages) || op.nrPages < 0 || op.nrPages > 4096) throw new RangeError(`mm params: ${where}.nrPages must be an integer from 0 to 4096`);
      return;
    case 'start_dma':
      optCount(op.npages, 'npages');
      return;
    case 'unpin_user_pages_dirty_lock':
      if (typeof op.makeDirty !== 'boolean') throw new RangeError(`mm params: ${where}.makeDirty must be a boolean`);
      optCount(op.npages, 'npages');
      return;
    case 'unpin_user_pages':
    case 'set_page_dirty_lock':
    case 'put_page':
      optCount(op.npages, 'npages');
      return;
    default:
      throw new RangeError(`mm params: ${where}.kind ${JSON.stringify((op as { kind: unknown }).kind)} is not a driver op`);
  }
}

/**
 * Checks `params` and throws `RangeError` naming the first bad field: `pageSize` 4096;
 * `frames` 2..64; `normalFrames` 1..frames; `swapSlots` 0..64; 1..8 VMAs, page aligned,
 * lengths positive multiples of 4096 (at most 64 pages), below TASK_SIZE_MAX, not
 * overlapping, file VMAs naming a file; `programs` at most MAX_PROCS arrays of valid ops;
 * `driver` valid ops; `kernel.maxEvents` 0..16.
 */
export function validateParams(params: MmParams): void {
  if (typeof params !== 'object' || params === null) throw new RangeError('mm params: expected an object');
  if (params.pageSize !== PAGE_SIZE) throw new RangeError(`mm params: pageSize must be 4096 (x86-64 PAGE_SIZE), got ${String(params.pageSize)}`);
  if (!isInt(params.frames) || params.frames < 2 || params.frames > MAX_FRAMES) throw new RangeError(`mm params: frames must be an integer from 2 to ${MAX_FRAMES}, got ${String(params.frames)}`);
  if (!isInt(params.normalFrames) || params.normalFrames < 1 || params.normalFrames > params.frames) {
    throw new RangeError(`mm params: normalFrames must be an integer from 1 to frames (${params.frames}), got ${String(params.normalFrames)}`);
  }
  if (!isInt(params.swapSlots) || params.swapSlots < 0 || params.swapSlots > MAX_SWAP) throw new RangeError(`mm params: swapSlots must be an integer from 0 to ${MAX_SWAP}`);
  if (!Array.isArray(params.vmas) || params.vmas.length < 1 || params.vmas.length > 8) throw new RangeError('mm params: vmas must be an array of 1 to 8 VMAs');
  params.vmas.forEach(validateVma);
  const sorted = [...params.vmas].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].start + sorted[i - 1].length) {
      throw new RangeError(`mm params: VMAs at ${hex(sorted[i - 1].start)} and ${hex(sorted[i].start)} overlap`);
    }
  }
  if (!Array.isArray(params.programs) || params.programs.length > MAX_PROCS) throw new RangeError(`mm params: programs must be an array of at most ${MAX_PROCS} programs`);
  params.programs.forEach((prog, pid) => {
    if (!Array.isArray(prog) || prog.length > 256) throw new RangeError(`mm params: programs[${pid}] must be an array of at most 256 ops`);
    prog.forEach((op, i) => validateProcessOp(op, `programs[${pid}][${i}]`));
  });
  if (!Array.isArray(params.driver) || params.driver.length > 256) throw new RangeError('mm params: driver must be an array of at most 256 ops');
  params.driver.forEach((op, i) => validateDriverOp(op, `driver[${i}]`));
  const k = params.kernel;
  if (typeof k !== 'object' || k === null) throw new RangeError('mm params: kernel must be an object');
  if (typeof k.compaction !== 'boolean' || typeof k.swap !== 'boolean') throw new RangeError('mm params: kernel.compaction and kernel.swap must be booleans');
  if (!isInt(k.maxEvents) || k.maxEvents < 0 || k.maxEvents > 16) throw new RangeError('mm params: kernel.maxEvents must be an integer from 0 to 16');
  if (params.sandbox !== undefined && typeof params.sandbox !== 'boolean') throw new RangeError('mm params: sandbox must be a boolean');
}

function vmaFromSpec(v: VmaSpec): Vma {
  return {
    start: v.start,
    end: v.start + v.length,
    kind: v.kind,
    prot: v.prot,
    shared: v.kind === 'file' ? v.shared === true : false,
    file: v.kind === 'file' ? (v.file as string) : null,
    pgoff: v.kind === 'file' ? (v.pgoff ?? 0) : 0,
    name: v.name ?? v.kind,
    anonVma: false,
  };
}

function freshFrame(pfn: number, normalFrames: number): Frame {
  return {
    pfn,
    zone: pfn < normalFrames ? 'normal' : 'movable',
    use: 'free',
    refcount: 0,
    pincount: 0,
    mappings: [],
    file: null,
    anonExclusive: false,
    dirty: false,
    data: '',
    dmaWritten: false,
  };
}

/**
 * The first state: process 0 with the VMAs of `params` and an empty page table (just a
 * PGD), every frame free but pfn 0 (the zero page, ZONE_NORMAL, refcount 1), swap empty,
 * the driver before its first call, the device idle. Throws `RangeError` on bad params.
 */
export function initialState(params: MmParams): MmState {
  validateParams(params);
  const p: MmParams = JSON.parse(JSON.stringify(params)) as MmParams;
  const frames: Frame[] = [];
  for (let pfn = 0; pfn < p.frames; pfn++) frames.push(freshFrame(pfn, p.normalFrames));
  frames[0] = { ...frames[0], use: 'zero', refcount: 1, data: 'zero' };
  const proc0: Proc = {
    pid: 0,
    parent: null,
    status: 'running',
    killedBy: null,
    pc: 0,
    waiting: null,
    vmas: p.vmas.map(vmaFromSpec).sort((a, b) => a.start - b.start),
    pgtables: emptyPgd(),
    mmapLock: { readers: [], writer: null },
    hasPinned: false,
    reads: [],
  };
  return {
    params: p,
    stepIndex: 0,
    procs: [proc0],
    frames,
    zeroPfn: 0,
    swap: new Array(p.swapSlots).fill(null),
    driver: { pc: 0, pages: [], hold: null, ret: null, holdsMmapLock: false },
    device: { transfer: null, log: [] },
    kernelEventsLeft: p.kernel.maxEvents,
    acct: { pinAcquired: 0, pinReleased: 0, held: {}, badReleases: [], warnings: [] },
    event: null,
    lastChoice: null,
  };
}

// ---------------------------------------------------------------------------------------
// Narration helpers.

interface Outcome {
  state: MmState;
  narration: string;
  source: KernelSource | null;
  actor: number | string;
}

function dataText(d: string): string {
  return d === 'zero' ? 'zeroes' : `"${d}"`;
}

function opLabel(op: ProcessOp): string {
  switch (op.kind) {
    case 'read':
      return `read ${hex(op.va)}`;
    case 'write':
      return `write ${hex(op.va)}`;
    case 'fork':
      return 'fork()';
    case 'munmap':
      return `munmap(${hex(op.start)}, ${op.length})`;
    case 'exit':
      return 'exit()';
  }
}

/** A short label for a driver op: `pin_user_pages(0x7f0000000000, 3, FOLL_WRITE)`. */
export function driverOpLabel(op: DriverOp): string {
  switch (op.kind) {
    case 'mmap_read_lock':
    case 'mmap_read_unlock':
      return `${op.kind}(mm)`;
    case 'pin_user_pages':
    case 'pin_user_pages_fast':
    case 'get_user_pages':
      return `${op.kind}(${hex(op.start)}, ${op.nrPages}, ${follFlagsText(op.flags)}, pages)`;
    case 'lookup_pfns':
      return `look up the pfns of ${op.nrPages} pages at ${hex(op.start)}`;
    case 'start_dma':
      return `start DMA${op.npages !== undefined ? ` (${op.npages} pages)` : ''}`;
    case 'wait_dma':
      return 'wait for the DMA to complete';
    case 'unpin_user_pages_dirty_lock':
      return `unpin_user_pages_dirty_lock(pages, ${op.npages ?? 'ret'}, ${op.makeDirty})`;
    case 'unpin_user_pages':
      return `unpin_user_pages(pages, ${op.npages ?? 'ret'})`;
    case 'set_page_dirty_lock':
      return `set_page_dirty_lock on ${op.npages ?? 'ret'} pages`;
    case 'put_page':
      return `put_page on ${op.npages ?? 'ret'} pages`;
  }
}

function kill(s: MmState, pid: number, why: string): void {
  const proc = s.procs[pid];
  exitMm(s, pid);
  proc.status = 'killed';
  proc.killedBy = why;
  proc.waiting = null;
}

// ---------------------------------------------------------------------------------------
// Process steps.

function accessStep(s: MmState, pid: number, va: number, write: boolean): Outcome {
  const proc = s.procs[pid];
  const verb = write ? 'writes' : 'reads';
  const who = `Process ${pid} ${verb} ${hex(va)}`;
  const vma = findVma(proc, va);
  const allowed = vma !== null && (write ? vma.prot === 'rw' : vma.prot !== 'none');
  if (!vma || !allowed) {
    const why = !vma ? 'no VMA covers it' : `the ${vma.name} VMA does not allow ${write ? 'writes' : 'reads'}`;
    kill(s, pid, 'SIGSEGV');
    return { state: s, narration: `${who}: ${why}, so do_user_addr_fault sends SIGSEGV and the process dies.`, source: SRC.badArea, actor: pid };
  }
  let pte = getPte(proc, va);
  let faultText = '';
  let source: KernelSource | null = null;
  const hit = pte !== null && pte.present && (!write || pte.writable);
  if (!hit) {
    let why: string;
    if (!pte) why = 'no PTE maps the page yet';
    else if (!pte.present) why = `its PTE is a swap entry (slot ${pte.swap})`;
    else if (pte.pfn === s.zeroPfn) why = 'its PTE maps the read-only zero page';
    else if (s.frames[pte.pfn as number].use === 'anon' && !s.frames[pte.pfn as number].anonExclusive) why = 'its PTE is read-only (copy-on-write)';
    else why = 'its PTE is read-only';
    const r = handleMmFault(s, pid, vma, va, write ? 'write' : 'read');
    if (!r.ok) {
      kill(s, pid, 'OOM');
      return { state: s, narration: `${who}: ${why}, so ${r.text}, and the OOM killer ends the process.`, source: r.source, actor: pid };
    }
    faultText = `${why}, so ${r.text}`;
    source = r.source;
    pte = getPte(proc, va);
  }
  const p = pte as NonNullable<typeof pte>;
  const pfn = p.pfn as number;
  const pa = pfn * PAGE_SIZE + (va % PAGE_SIZE);
  if (write) {
    const f = s.frames[pfn];
    f.data = `P${pid}`;
    setPte(proc, va, { ...p, dirty: true, accessed: true });
    if (!hit) return { state: s, narration: `${who}: ${faultText}, and the store lands in pfn ${pfn}.`, source, actor: pid };
    return { state: s, narration: `${who}: the MMU walks ${indexPath(va)} to ${pfnLabel(s, pfn)} and stores "P${pid}" at physical address ${hex(pa)}.`, source: null, actor: pid };
  }
  const data = s.frames[pfn].data;
  proc.reads.push({ va, data });
  setPte(proc, va, { ...p, accessed: true });
  if (!hit) return { state: s, narration: `${who}: ${faultText}, and the load reads ${dataText(data)}.`, source, actor: pid };
  return { state: s, narration: `${who}: the MMU walks ${indexPath(va)} to ${pfnLabel(s, pfn)} and loads ${dataText(data)} from physical address ${hex(pa)}.`, source: null, actor: pid };
}

function needsWriteLock(op: ProcessOp): boolean {
  return op.kind === 'fork' || op.kind === 'munmap' || op.kind === 'exit';
}

function forkStep(s0: MmState, s: MmState, pid: number): Outcome {
  if (s.procs.length >= MAX_PROCS) {
    return { state: s, narration: `Process ${pid} calls fork(2), which fails with -EAGAIN: this model allows at most ${MAX_PROCS} processes.`, source: SRC.dupMmap, actor: pid };
  }
  const r = forkMm(s, pid);
  if (!r) {
    const t = draft(s0);
    t.procs[pid].waiting = null;
    advance(t, pid);
    return { state: t, narration: `Process ${pid} calls fork(2), which fails with ${retText(-ENOMEM)}: no free frame to copy a pinned page for the child.`, source: SRC.copyPresentPage, actor: pid };
  }
  const vmas = s.procs[pid].vmas.length;
  const parts: string[] = [`dup_mmap gives process ${r.child} copies of ${vmas === 1 ? 'the VMA' : vmas === 2 ? 'both VMAs' : `all ${vmas} VMAs`}`];
  if (r.shared > 0) parts.push(`copy_present_pte shares ${r.shared === 1 ? '1 page' : `${r.shared} pages`} with it, write-protected in both (copy-on-write)`);
  if (r.copied.length > 0) parts.push(`copy_present_page copies ${r.copied.length === 1 ? `pinned pfn ${r.copied[0]}` : `pinned pfns ${r.copied.join(', ')}`} for the child at once (folio_maybe_dma_pinned), so the parent keeps ${r.copied.length === 1 ? 'it' : 'them'} writable`);
  if (r.shared === 0 && r.copied.length === 0) parts.push('no page tables need copying (the child will fault its pages in)');
  return { state: s, narration: `Process ${pid} forks: ${parts.join(', and ')}.`, source: r.copied.length > 0 ? SRC.copyPresentPage : r.shared > 0 ? SRC.copyPresentPte : SRC.dupMmap, actor: pid };
}

/** The fate of frames touched by an unmap, for narration: pinned survivors. */
function survivors(s: MmState, pfns: number[]): string {
  const pinned = pfns.filter((p) => s.frames[p].use !== 'free' && folioMaybeDmaPinned(s.frames[p]));
  if (pinned.length === 0) return '';
  return `; ${pinned.length === 1 ? `pinned pfn ${pinned[0]} survives` : `pinned pfns ${pinned.join(', ')} survive`} with refcount ${pinned.map((p) => s.frames[p].refcount).join(', ')}, no longer mapped`;
}

function mappedFrames(s: MmState, pid: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (const [, pte] of ptesInRange(s.procs[pid], start, end)) if (pte.present && pte.pfn !== null && pte.pfn !== s.zeroPfn) out.push(pte.pfn);
  return out;
}

function munmapStep(s: MmState, pid: number, start: number, length: number): Outcome {
  const call = `munmap(${hex(start)}, ${length})`;
  if (start % PAGE_SIZE !== 0 || length === 0) {
    return { state: s, narration: `Process ${pid} calls ${call}, which fails with ${retText(-EINVAL)}: the start must be page aligned and the length non-zero.`, source: SRC.munmap, actor: pid };
  }
  const end = Math.min(start + Math.ceil(length / PAGE_SIZE) * PAGE_SIZE, TASK_SIZE_MAX);
  const frames = mappedFrames(s, pid, start, end);
  const zapped = zapRange(s, pid, start, end);
  removeVmaRange(s.procs[pid], start, end);
  const freed = frames.filter((p) => s.frames[p].use === 'free');
  const freedText = freed.length > 0 ? `, freeing ${freed.length === 1 ? `pfn ${freed[0]}` : `pfns ${freed.join(', ')}`}` : '';
  return {
    state: s,
    narration: `Process ${pid} calls ${call} under mmap_write_lock: zap_pte_range clears ${zapped === 1 ? '1 PTE' : `${zapped} PTEs`}${freedText}${survivors(s, frames)}.`,
    source: SRC.munmap,
    actor: pid,
  };
}

function exitStep(s: MmState, pid: number): Outcome {
  const proc = s.procs[pid];
  const frames: number[] = [];
  for (const v of proc.vmas) frames.push(...mappedFrames(s, pid, v.start, v.end));
  const zapped = exitMm(s, pid);
  proc.status = 'exited';
  const freed = frames.filter((p) => s.frames[p].use === 'free');
  const freedText = freed.length > 0 ? `, freeing ${freed.length === 1 ? `pfn ${freed[0]}` : `pfns ${freed.join(', ')}`}` : '';
  return {
    state: s,
    narration: `Process ${pid} exits: exit_mmap unmaps ${zapped === 1 ? '1 page' : `${zapped} pages`} and frees its page tables${freedText}${survivors(s, frames)}.`,
    source: SRC.exitMmap,
    actor: pid,
  };
}

function advance(s: MmState, pid: number): void {
  const proc = s.procs[pid];
  if (!s.params.sandbox) proc.pc += 1;
}

function processStep(s0: MmState, pid: number, op: ProcessOp): Outcome {
  const s = draft(s0);
  const proc = s.procs[pid];
  if (needsWriteLock(op)) {
    if (proc.mmapLock.readers.length > 0) {
      proc.waiting = { lock: 'mmap_write_lock', op: { ...op } };
      const what = op.kind === 'fork' ? 'fork(2)' : op.kind === 'exit' ? 'exit(2)' : `munmap(${hex((op as { start: number }).start)}, ${(op as { length: number }).length})`;
      return {
        state: s,
        narration: `Process ${pid} calls ${what}, but the ${proc.mmapLock.readers.join(' and ')} holds mmap_read_lock, so mmap_write_lock puts it to sleep.`,
        source: src('include/linux/mmap_lock.h', 'mmap_write_lock'),
        actor: pid,
      };
    }
    proc.waiting = null;
  }
  advance(s, pid);
  switch (op.kind) {
    case 'read':
      return accessStep(s, pid, op.va, false);
    case 'write':
      return accessStep(s, pid, op.va, true);
    case 'fork':
      return forkStep(s0, s, pid);
    case 'munmap':
      return munmapStep(s, pid, op.start, op.length);
    case 'exit':
      return exitStep(s, pid);
  }
}

// ---------------------------------------------------------------------------------------
// Driver steps.

/**
 * One driver call on draft `s` (process 0's mm): the narration and source. Exported for
 * `./session.ts`; `pages` is the array the call works on (the driver's own for scripted
 * steps). Throws `RangeError` for malformed arguments.
 */
export function applyDriverOp(s: MmState, op: DriverOp, pages: readonly number[]): { narration: string; source: KernelSource | null } {
  const d = s.driver;
  const proc0 = s.procs[0];
  const lastRet = Math.max(d.ret ?? 0, 0);
  switch (op.kind) {
    case 'mmap_read_lock':
      if (d.holdsMmapLock) {
        s.acct.warnings.push('mmap_read_lock taken twice by the driver (recursive read locking can deadlock behind a waiting writer)');
        return { narration: 'The driver calls mmap_read_lock again while holding it, which can deadlock once a writer is waiting.', source: GUP_SRC.mmapReadLock };
      }
      d.holdsMmapLock = true;
      proc0.mmapLock.readers.push('driver');
      return { narration: "The driver calls mmap_read_lock on process 0's mm: page faults may still run, but munmap, fork and exit must wait.", source: GUP_SRC.mmapReadLock };
    case 'mmap_read_unlock': {
      if (!d.holdsMmapLock) {
        s.acct.warnings.push('mmap_read_unlock without holding mmap_read_lock');
        return { narration: 'The driver calls mmap_read_unlock without holding the lock: an unbalanced unlock.', source: GUP_SRC.mmapReadUnlock };
      }
      d.holdsMmapLock = false;
      proc0.mmapLock.readers = proc0.mmapLock.readers.filter((r) => r !== 'driver');
      const waiter = s.procs.find((p) => p.waiting !== null);
      return {
        narration: `The driver calls mmap_read_unlock${waiter ? `, so process ${waiter.pid} can take mmap_write_lock` : ''}.`,
        source: GUP_SRC.mmapReadUnlock,
      };
    }
    case 'pin_user_pages':
    case 'pin_user_pages_fast':
    case 'get_user_pages': {
      const r = gupCall(s, 0, op.kind as GupApi, op.start, op.nrPages, op.flags);
      d.pages = r.pages;
      d.ret = r.ret;
      d.hold = holdKindOf(op.kind);
      return { narration: `The driver calls ${r.text}`, source: r.source };
    }
    case 'lookup_pfns': {
      const r = lookupPfnsCall(s, 0, op.start, op.nrPages);
      d.pages = r.pages;
      d.ret = r.ret;
      d.hold = 'none';
      return { narration: r.text, source: r.source };
    }
    case 'start_dma': {
      const n = Math.min(op.npages ?? pages.length, pages.length);
      if (n === 0) return { narration: 'The driver has no pages to give the device, so it starts no DMA.', source: null };
      const pfns = pages.slice(0, n);
      const owners = pfns.map((p) => {
        const m = s.frames[p].mappings[0];
        return m ? { pid: m.pid, va: m.va } : null;
      });
      s.device.transfer = { pfns, owners, done: 0 };
      const held = d.hold === 'pin' ? 'pinned' : d.hold === 'ref' ? 'referenced (not pinned)' : 'neither pinned nor referenced';
      const are = n === 1 ? 'the page is' : 'the pages are';
      return {
        narration: `The driver programs the device to write ${n === 1 ? '1 page' : `${n} pages`} by DMA to ${n === 1 ? 'pfn' : 'pfns'} ${pfns.join(', ')} (bus address = physical address, no IOMMU); ${are} ${held}.`,
        source: null,
      };
    }
    case 'wait_dma': {
      const t = s.device.transfer;
      s.device.transfer = null;
      if (!t) return { narration: 'The driver waits for a DMA that was never started and returns at once.', source: null };
      return { narration: `The device raises its completion interrupt and the driver's wait returns: ${t.pfns.length === 1 ? 'the page is' : `all ${t.pfns.length} pages are`} written.`, source: null };
    }
    case 'unpin_user_pages_dirty_lock': {
      const r = unpinCall(s, pages, op.npages ?? lastRet, op.makeDirty, true);
      return { narration: `The driver calls ${r.text}`, source: r.source };
    }
    case 'unpin_user_pages': {
      const r = unpinCall(s, pages, op.npages ?? lastRet, false, false);
      return { narration: `The driver calls ${r.text}`, source: r.source };
    }
    case 'set_page_dirty_lock': {
      const r = setPageDirtyCall(s, pages, op.npages ?? lastRet);
      return { narration: `The driver's ${r.text}`, source: r.source };
    }
    case 'put_page': {
      const r = putPageCall(s, pages, op.npages ?? lastRet);
      return { narration: `The driver's ${r.text}`, source: r.source };
    }
  }
}

function driverStep(s0: MmState): Outcome {
  const s = draft(s0);
  const op = s.params.driver[s.driver.pc];
  s.driver.pc += 1;
  const r = applyDriverOp(s, op, s.driver.pages);
  return { state: s, narration: r.narration, source: r.source, actor: 'driver' };
}

// ---------------------------------------------------------------------------------------
// Device and kernel steps.

function deviceStep(s0: MmState): Outcome {
  const s = draft(s0);
  const t = s.device.transfer as NonNullable<MmState['device']['transfer']>;
  const k = t.done;
  const pfn = t.pfns[k];
  const owner = t.owners[k];
  const f = s.frames[pfn];
  const data = `DMA${k}`;
  // Judge where the write lands before it happens (the frame's owner may have changed).
  let outcome: DmaOutcome;
  let ownerPte: Pte | null = null;
  if (f.use === 'zero') outcome = 'zero-page';
  else if (f.use === 'free') outcome = 'freed';
  else if (owner === null) outcome = 'ok';
  else {
    const op = s.procs[owner.pid];
    ownerPte = op ? getPte(op, owner.va) : null;
    if (ownerPte && ownerPte.present && ownerPte.pfn === pfn) outcome = 'ok';
    else if (ownerPte) outcome = 'elsewhere';
    else outcome = f.mappings.length === 0 ? 'orphan' : 'elsewhere';
  }
  const intended = outcome === 'ok' || outcome === 'orphan';
  f.data = data;
  f.dmaWritten = true;
  t.done += 1;
  s.device.log.push({ index: k, pfn, data, outcome, intended });
  const head = `The device writes page ${k + 1} of ${t.pfns.length} ("${data}") into pfn ${pfn} by DMA`;
  let tail = '';
  switch (outcome) {
    case 'ok':
      tail = owner ? `, the frame behind process ${owner.pid}'s ${hex(owner.va)}` : '';
      break;
    case 'orphan':
      tail = `, a page process ${(owner as FrameMapping).pid} has since unmapped: only the driver's pin keeps it`;
      break;
    case 'zero-page':
      tail = ', the shared zero page: the buffer was pinned without FOLL_WRITE, so every untouched anonymous page of every process now reads this data';
      break;
    case 'freed':
      tail = ', but that frame is free now: the page it was meant for lives elsewhere, so the data is lost';
      break;
    case 'elsewhere': {
      const o = owner as FrameMapping;
      const now = ownerPte && ownerPte.present ? `now maps pfn ${ownerPte.pfn}` : ownerPte ? 'is swapped out' : 'is no longer mapped';
      const m = f.mappings[0];
      const holds = m ? `this frame holds process ${m.pid}'s page at ${hex(m.va)}` : 'nobody maps this frame';
      tail = `, but process ${o.pid}'s ${hex(o.va)} ${now} and ${holds}, so the process never sees the data`;
      break;
    }
  }
  return { state: s, narration: `${head}${tail}.`, source: null, actor: 'device' };
}

function mappingText(f: Frame): string {
  if (f.mappings.length === 0) return f.use === 'file' ? 'the page-cache slot' : 'no PTE';
  const m = f.mappings.map((x) => `process ${x.pid}'s ${hex(x.va)}`);
  return m.length === 1 ? `the PTE of ${m[0]}` : `the PTEs of ${m.join(' and ')}`;
}

function compactStep(s0: MmState, pfn: number): Outcome {
  const s = draft(s0);
  s.kernelEventsLeft -= 1;
  const f = s.frames[pfn];
  const blocker = migrationBlocker(s, pfn);
  if (blocker) {
    if (f.use === 'anon') {
      return {
        state: s,
        narration: `Compaction looks at pfn ${pfn} and skips it: ${blocker}, so migration would fail and the page stays put.`,
        source: SRC.isolateMigratepages,
        actor: 'kernel',
      };
    }
    return {
      state: s,
      narration: `Compaction tries to migrate pfn ${pfn}, but migrate_folio gives up with -EAGAIN: ${blocker}.`,
      source: SRC.migrateFolio,
      actor: 'kernel',
    };
  }
  const to = compactionTarget(s, pfn) as number;
  const what = mappingText(f);
  const dmaTarget = s.device.transfer !== null && s.device.transfer.pfns.slice(s.device.transfer.done).includes(pfn);
  moveFrame(s, pfn, to);
  return {
    state: s,
    narration: `Compaction migrates the page in pfn ${pfn} to pfn ${to} (${zoneName(s.frames[to].zone)}): migrate_folio copies it, ${what} now points to pfn ${to}, and pfn ${pfn} is freed${dmaTarget ? ' while the device still has it as a DMA target' : ''}.`,
    source: SRC.migrateFolio,
    actor: 'kernel',
  };
}

function swapOutStep(s0: MmState, pfn: number): Outcome {
  const s = draft(s0);
  s.kernelEventsLeft -= 1;
  const f = s.frames[pfn];
  if (folioMaybeDmaPinned(f)) {
    return {
      state: s,
      narration: `Reclaim picks pfn ${pfn} and skips it before trying to unmap it: shrink_folio_list keeps a page that folio_maybe_dma_pinned says may be pinned (refcount ${f.refcount}), so it is never swapped out.`,
      source: SRC.shrinkFolioList,
      actor: 'kernel',
    };
  }
  if (f.refcount !== f.mappings.length) {
    return {
      state: s,
      narration: `Reclaim picks pfn ${pfn} but keeps it: its refcount ${f.refcount} is more than its ${f.mappings.length === 1 ? 'mapping accounts' : `${f.mappings.length} mappings account`} for, so someone holds a reference and the frame cannot be freed.`,
      source: SRC.shrinkFolioList,
      actor: 'kernel',
    };
  }
  const slot = freeSwapSlot(s) as number;
  const what = mappingText(f);
  const dmaTarget = s.device.transfer !== null && s.device.transfer.pfns.slice(s.device.transfer.done).includes(pfn);
  swapOutFrame(s, pfn, slot);
  return {
    state: s,
    narration: `Reclaim swaps out pfn ${pfn}: its contents go to swap slot ${slot}, ${what} becomes a swap entry, and the frame is freed${dmaTarget ? ' while the device still has it as a DMA target' : ''}.`,
    source: SRC.shrinkFolioList,
    actor: 'kernel',
  };
}

// ---------------------------------------------------------------------------------------
// Choices.

function processOps(s: MmState, proc: Proc): ProcessOp[] {
  if (proc.status !== 'running') return [];
  if (proc.waiting) return proc.mmapLock.readers.length === 0 ? [proc.waiting.op] : [];
  if (!s.params.sandbox) {
    const prog = s.params.programs[proc.pid] ?? [];
    return proc.pc < prog.length ? [prog[proc.pc]] : [];
  }
  const ops: ProcessOp[] = [];
  for (const v of proc.vmas) {
    for (let va = v.start; va < v.end; va += PAGE_SIZE) {
      ops.push({ kind: 'read', va });
      ops.push({ kind: 'write', va });
    }
  }
  if (s.procs.length < MAX_PROCS) ops.push({ kind: 'fork' });
  for (const v of proc.vmas) ops.push({ kind: 'munmap', start: v.start, length: v.end - v.start });
  if (proc.pid !== 0) ops.push({ kind: 'exit' });
  return ops;
}

function driverEnabled(s: MmState): boolean {
  const op = s.params.driver[s.driver.pc];
  if (!op) return false;
  const t = s.device.transfer;
  if (op.kind === 'start_dma') return t === null;
  if (op.kind === 'wait_dma') return t === null || t.done === t.pfns.length;
  return true;
}

function kernelChoices(s: MmState): MmChoice[] {
  if (s.kernelEventsLeft <= 0) return [];
  const out: MmChoice[] = [];
  const k = s.params.kernel;
  if (k.compaction) {
    for (const f of s.frames) {
      if ((f.use === 'anon' || f.use === 'file') && compactionTarget(s, f.pfn) !== null) out.push({ actor: 'kernel', op: 'compact', pfn: f.pfn });
    }
  }
  if (k.swap && freeSwapSlot(s) !== null) {
    for (const f of s.frames) if (f.use === 'anon' && f.mappings.length > 0) out.push({ actor: 'kernel', op: 'swap-out', pfn: f.pfn });
  }
  return out;
}

function enabledChoices(s: MmState): MmChoice[] {
  const out: MmChoice[] = [];
  for (const proc of s.procs) for (const op of processOps(s, proc)) out.push({ actor: 'process', pid: proc.pid, op });
  if (driverEnabled(s)) out.push({ actor: 'driver' });
  const t = s.device.transfer;
  if (t && t.done < t.pfns.length) out.push({ actor: 'device' });
  out.push(...kernelChoices(s));
  return out;
}

/** A string identifying a choice (equal strings = the same choice). */
export function choiceKey(c: MmChoice): string {
  switch (c.actor) {
    case 'process': {
      const op = c.op;
      const args = op.kind === 'read' || op.kind === 'write' ? `:${op.va}` : op.kind === 'munmap' ? `:${op.start}:${op.length}` : '';
      return `p${c.pid}:${op.kind}${args}`;
    }
    case 'driver':
      return 'driver';
    case 'device':
      return 'device';
    case 'kernel':
      return `k:${c.op}:${c.pfn}`;
  }
}

function sameChoice(a: MmChoice, b: MmChoice): boolean {
  return choiceKey(a) === choiceKey(b);
}

function describeChoice(s: MmState, c: MmChoice): string {
  switch (c.actor) {
    case 'process':
      return `process ${c.pid}: ${opLabel(c.op)}`;
    case 'driver': {
      const op = s.params.driver[s.driver.pc];
      return op ? `driver: ${driverOpLabel(op)}` : 'driver (done)';
    }
    case 'device': {
      const t = s.device.transfer;
      return t ? `device: DMA writes page ${t.done + 1} of ${t.pfns.length}` : 'device (idle)';
    }
    case 'kernel':
      return c.op === 'compact' ? `kernel: compaction migrates pfn ${c.pfn}` : `kernel: reclaim swaps out pfn ${c.pfn}`;
  }
}

function normalise(c: MmChoice): MmChoice {
  switch (c.actor) {
    case 'process':
      return { actor: 'process', pid: c.pid, op: { ...c.op } };
    case 'driver':
      return { actor: 'driver' };
    case 'device':
      return { actor: 'device' };
    case 'kernel':
      return { actor: 'kernel', op: c.op, pfn: c.pfn };
  }
}

/**
 * `step` without the enabled check, with narration: for callers that drive the model
 * directly (`./session.ts`). The choice must still make sense (a running process, a device
 * with a transfer). Pure.
 */
export function stepUnchecked(state: MmState, choice: MmChoice): MmState {
  return applyChoice(state, choice);
}

function applyChoice(state: MmState, choice: MmChoice, quiet = false): MmState {
  let r: Outcome;
  switch (choice.actor) {
    case 'process':
      r = processStep(state, choice.pid, choice.op);
      break;
    case 'driver':
      r = driverStep(state);
      break;
    case 'device':
      r = deviceStep(state);
      break;
    case 'kernel':
      r = choice.op === 'compact' ? compactStep(state, choice.pfn) : swapOutStep(state, choice.pfn);
      break;
  }
  const event: StepEvent = { narration: quiet ? '' : r.narration, source: r.source, actor: r.actor };
  return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice: normalise(choice) };
}

/**
 * The memory model (id `'mm'`), implementing `Model` of `../core/model.ts`.
 *
 * - `initialState(params, seed)`: see `initialState`; the seed is unused (no randomness).
 * - `enabled(state)`: process choices (pid order; the next op of each running process, or
 *   every load/store/fork/munmap/exit in sandbox mode; a process asleep in mmap_write_lock
 *   only once the lock is free), then `driver` (its next call; `start_dma` waits for an idle
 *   device, `wait_dma` for a complete transfer), then `device` (a transfer with pages left),
 *   then the kernel's `compact` and `swap-out` choices by pfn while
 *   `kernelEventsLeft > 0`. Empty when nothing can happen.
 * - `step(state, choice)`: pure; throws `Error` if `choice` is not enabled.
 * - `event(state)`: narration, source (`{file, fn, version: '6.12'}`, or null for the MMU,
 *   the device and the driver's own code) and actor (pid, `'driver'`, `'device'`, `'kernel'`).
 */
export const mmModel: Model<MmParams, MmState, MmChoice> = {
  id: 'mm',
  initialState(params: MmParams, _seed: number): MmState {
    return initialState(params);
  },
  enabled: enabledChoices,
  step(state: MmState, choice: MmChoice): MmState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`mm model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    return applyChoice(state, choice);
  },
  stepFast: (state: MmState, choice: MmChoice) => applyChoice(state, choice, true),
  event(state: MmState): StepEvent | null {
    return state.event;
  },
  describeChoice,
  sameChoice,
};
