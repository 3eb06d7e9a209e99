/**
 * Memory-management primitives of the mm model: page tables, frames, the page-fault
 * handler, fork's page-table copy, unmapping, migration and swap-out.
 *
 * Every function here works on a *draft*: a deep copy of a state made by `draft()` at the
 * start of a step, which the step then mutates and returns. States handed in by callers are
 * never touched (the model stays pure), and the step code reads like the kernel's.
 *
 * Each fault path says which 6.12 function it models; the files not in this repository's
 * extracted tree (mm/memory.c, mm/filemap.c, mm/compaction.c, mm/vmscan.c, mm/rmap.c,
 * kernel/fork.c) are cited by path and function as they are in 6.12.
 *
 * Simplifications (also noted where they apply):
 * - Page-table pages live outside the frame strip, are allocated on demand and are only
 *   freed when the process exits (munmap leaves empty tables behind; the kernel's
 *   `free_pgtables` may free them).
 * - Order-0 folios only: no THP, no large folios, so the pin count is always the
 *   GUP_PIN_COUNTING_BIAS part of `_refcount`.
 * - No swap cache and no LRU lists: a swap-out writes the page and frees the frame in one
 *   step; a swap-in always gets a fresh, exclusive frame.
 * - The page cache is never reclaimed; dirty file pages are never written back.
 */
import type { KernelSource } from '../core/model.ts';
import { GUP_PIN_COUNTING_BIAS } from './constants.ts';
import { PAGE_SIZE, splitVirtualAddress } from './walk.ts';
import type { Frame, MmState, PageTable, Proc, Pte, PteTable, UpperEntry, UpperTable, Vma, Zone } from './types.ts';

/** The kernel version every step's source was read in. */
export const KERNEL_VERSION = '6.12';

export function src(file: string, fn: string): KernelSource {
  return { file, fn, version: KERNEL_VERSION };
}

/** Kernel sources the steps cite. */
export const SRC = {
  doAnonymousPage: src('mm/memory.c', 'do_anonymous_page'),
  wpPageCopy: src('mm/memory.c', 'wp_page_copy'),
  wpPageReuse: src('mm/memory.c', 'wp_page_reuse'),
  wpPageShared: src('mm/memory.c', 'wp_page_shared'),
  doCowFault: src('mm/memory.c', 'do_cow_fault'),
  doSharedFault: src('mm/memory.c', 'do_shared_fault'),
  filemapFault: src('mm/filemap.c', 'filemap_fault'),
  doSwapPage: src('mm/memory.c', 'do_swap_page'),
  badArea: src('arch/x86/mm/fault.c', 'do_user_addr_fault'),
  copyPresentPte: src('mm/memory.c', 'copy_present_pte'),
  copyPresentPage: src('mm/memory.c', 'copy_present_page'),
  dupMmap: src('kernel/fork.c', 'dup_mmap'),
  munmap: src('mm/mmap.c', '__vm_munmap'),
  exitMmap: src('mm/mmap.c', 'exit_mmap'),
  isolateMigratepages: src('mm/compaction.c', 'isolate_migratepages_block'),
  migrateFolio: src('mm/migrate.c', 'migrate_folio'),
  shrinkFolioList: src('mm/vmscan.c', 'shrink_folio_list'),
  tryToUnmapOne: src('mm/rmap.c', 'try_to_unmap_one'),
} as const;

// ---------------------------------------------------------------------------------------
// Drafts.

/** A deep copy of a plain-JSON value. */
export function deepClone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepClone) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) out[k] = deepClone((v as Record<string, unknown>)[k]);
  return out as T;
}

/** A mutable deep copy of `s` (params shared: they are never written). */
export function draft(s: MmState): MmState {
  const { params, ...rest } = s;
  return { params, ...deepClone(rest) };
}

// ---------------------------------------------------------------------------------------
// Frames.

/** `folio_maybe_dma_pinned()` for an order-0 folio: `refcount >= GUP_PIN_COUNTING_BIAS` (include/linux/mm.h, 6.12). */
export function folioMaybeDmaPinned(f: Frame): boolean {
  return f.refcount >= GUP_PIN_COUNTING_BIAS;
}

/** The references a frame's mappings and page-cache membership account for (`folio_expected_ref_count`). */
export function expectedRefs(f: Frame): number {
  return f.mappings.length + (f.use === 'file' ? 1 : 0);
}

/** Sets `_refcount` (and the derived pincount); a frame whose count drops to 0 is freed. */
export function setRef(f: Frame, n: number): void {
  f.refcount = n;
  f.pincount = Math.floor(n / GUP_PIN_COUNTING_BIAS);
  if (n === 0 && f.use !== 'zero') freeFrame(f);
}

/** Returns a frame to the free lists: its contents marker stays (stale data in free memory). */
function freeFrame(f: Frame): void {
  f.use = 'free';
  f.refcount = 0;
  f.pincount = 0;
  f.mappings = [];
  f.file = null;
  f.anonExclusive = false;
  f.dirty = false;
  f.dmaWritten = false;
}

/**
 * Picks a free frame: `'user'` for GFP_HIGHUSER_MOVABLE (ZONE_MOVABLE first, then
 * ZONE_NORMAL: the zonelist is tried from the highest zone down), `'normal'` for GFP_USER
 * (ZONE_NORMAL only: what a long-term pin migrates to), lowest pfn first. Null when none.
 * A simplification of the buddy allocator (mm/page_alloc.c `get_page_from_freelist`).
 */
export function pickFree(s: MmState, kind: 'user' | 'normal'): number | null {
  const zones: Zone[] = kind === 'user' ? ['movable', 'normal'] : ['normal'];
  for (const z of zones) {
    for (const f of s.frames) if (f.zone === z && f.use === 'free') return f.pfn;
  }
  return null;
}

/** Compaction's target for `pfn`: the highest free frame of the same zone above it (the free scanner runs down from the zone's end). */
export function compactionTarget(s: MmState, pfn: number): number | null {
  const zone = s.frames[pfn].zone;
  for (let i = s.frames.length - 1; i > pfn; i--) {
    const f = s.frames[i];
    if (f.zone === zone && f.use === 'free') return i;
  }
  return null;
}

/** Makes free frame `pfn` a fresh anonymous page holding `data` (refcount 0 until mapped). */
export function makeAnon(s: MmState, pfn: number, data: string): Frame {
  const f = s.frames[pfn];
  f.use = 'anon';
  f.refcount = 0;
  f.pincount = 0;
  f.mappings = [];
  f.file = null;
  f.anonExclusive = true;
  f.dirty = false;
  f.data = data;
  f.dmaWritten = false;
  return f;
}

/** The page-cache frame of `file` page `index`, or null. */
export function findPageCache(s: MmState, file: string, index: number): number | null {
  for (const f of s.frames) if (f.use === 'file' && f.file && f.file.name === file && f.file.index === index) return f.pfn;
  return null;
}

/** Zone name as the kernel prints it. */
export function zoneName(z: Zone): string {
  return z === 'movable' ? 'ZONE_MOVABLE' : 'ZONE_NORMAL';
}

// ---------------------------------------------------------------------------------------
// Page tables.

function newTable(level: PageTable['level']): PageTable {
  return level === 'pte' ? { level, entries: {} } : { level, entries: {} };
}

export function emptyPgd(): PageTable[] {
  return [newTable('pgd')];
}

/** The PTE for `va` in `proc`, or null when any level is empty (`pte_none`). */
export function getPte(proc: Proc, va: number): Pte | null {
  if (proc.pgtables.length === 0) return null;
  const p = splitVirtualAddress(va);
  let t = 0;
  for (const lvl of ['pgd', 'pud', 'pmd'] as const) {
    const e: UpperEntry | undefined = (proc.pgtables[t] as UpperTable).entries[p[lvl]];
    if (!e) return null;
    t = e.table;
  }
  return (proc.pgtables[t] as PteTable).entries[p.pte] ?? null;
}

/** Installs `pte` for `va`, allocating missing tables (`__pud_alloc`, `__pmd_alloc`, `__pte_alloc`). */
export function setPte(proc: Proc, va: number, pte: Pte): void {
  const p = splitVirtualAddress(va);
  let t = 0;
  const next: Record<'pgd' | 'pud' | 'pmd', PageTable['level']> = { pgd: 'pud', pud: 'pmd', pmd: 'pte' };
  for (const lvl of ['pgd', 'pud', 'pmd'] as const) {
    const table = proc.pgtables[t] as UpperTable;
    let e = table.entries[p[lvl]];
    if (!e) {
      proc.pgtables.push(newTable(next[lvl]));
      e = { table: proc.pgtables.length - 1 };
      table.entries[p[lvl]] = e;
    }
    t = e.table;
  }
  (proc.pgtables[t] as PteTable).entries[p.pte] = pte;
}

/** Clears the PTE for `va` (`pte_clear`); no-op when there is none. */
export function clearPte(proc: Proc, va: number): void {
  const p = splitVirtualAddress(va);
  let t = 0;
  for (const lvl of ['pgd', 'pud', 'pmd'] as const) {
    const e = (proc.pgtables[t] as UpperTable).entries[p[lvl]];
    if (!e) return;
    t = e.table;
  }
  delete (proc.pgtables[t] as PteTable).entries[p.pte];
}

/** Every PTE of `proc` in `[start, end)`, as `[va, pte]`, in address order. */
export function ptesInRange(proc: Proc, start: number, end: number): [number, Pte][] {
  const out: [number, Pte][] = [];
  for (let va = start; va < end; va += PAGE_SIZE) {
    const pte = getPte(proc, va);
    if (pte) out.push([va, pte]);
  }
  return out;
}

export function presentPte(pfn: number, writable: boolean, dirty: boolean): Pte {
  return { present: true, pfn, writable, dirty, accessed: true, swap: null };
}

/** The VMA of `proc` containing `va`, or null (`vma_lookup`). */
export function findVma(proc: Proc, va: number): Vma | null {
  for (const v of proc.vmas) if (va >= v.start && va < v.end) return v;
  return null;
}

/** Maps frame `pfn` at `va` in `pid`: the PTE, the rmap entry and (not for the zero page) a reference. */
export function mapFrame(s: MmState, pid: number, va: number, pfn: number, writable: boolean, dirty: boolean): void {
  setPte(s.procs[pid], va, presentPte(pfn, writable, dirty));
  if (pfn !== s.zeroPfn) {
    const f = s.frames[pfn];
    f.mappings.push({ pid, va });
    setRef(f, f.refcount + 1);
  }
}

/**
 * Removes the mapping of `va` in `pid` from its frame (rmap and reference), moving a dirty
 * PTE's dirty bit to PG_dirty for file pages (as `zap_present_ptes` does). Leaves the PTE.
 */
export function dropMapping(s: MmState, pid: number, va: number, pte: Pte): void {
  if (!pte.present || pte.pfn === null || pte.pfn === s.zeroPfn) return;
  const f = s.frames[pte.pfn];
  if (pte.dirty && f.use === 'file') f.dirty = true;
  f.mappings = f.mappings.filter((m) => !(m.pid === pid && m.va === va));
  setRef(f, f.refcount - 1);
}

/** Drops one swap-map reference of `slot`, freeing the slot at zero (`swap_free`). */
export function swapFree(s: MmState, slot: number): void {
  const sl = s.swap[slot];
  if (!sl) return;
  if (sl.refs <= 1) s.swap[slot] = null;
  else sl.refs -= 1;
}

/**
 * Unmaps `[start, end)` of `pid`: every PTE zapped (`zap_pte_range`, mm/memory.c), frames
 * whose last reference goes are freed, swap entries released. Returns the pages zapped.
 */
export function zapRange(s: MmState, pid: number, start: number, end: number): number {
  const proc = s.procs[pid];
  let n = 0;
  for (const [va, pte] of ptesInRange(proc, start, end)) {
    if (pte.present) dropMapping(s, pid, va, pte);
    else if (pte.swap !== null) swapFree(s, pte.swap);
    clearPte(proc, va);
    n++;
  }
  return n;
}

/** Removes `[start, end)` from `pid`'s VMA list, splitting VMAs that straddle it. */
export function removeVmaRange(proc: Proc, start: number, end: number): void {
  const out: Vma[] = [];
  for (const v of proc.vmas) {
    if (v.end <= start || v.start >= end) {
      out.push(v);
      continue;
    }
    if (v.start < start) out.push({ ...v, end: start });
    if (v.end > end) out.push({ ...v, start: end, pgoff: v.pgoff + (end - v.start) / PAGE_SIZE });
  }
  proc.vmas = out;
}

// ---------------------------------------------------------------------------------------
// The page-fault handler.

/** The access a fault is for. `unshare` is GUP's FAULT_FLAG_UNSHARE (a read-only pin of a shared anon page). */
export type FaultKind = 'read' | 'write' | 'unshare';

/** What the fault handler did, in words, with the function that did it. */
export interface FaultResult {
  ok: boolean;
  /** A clause for the narration, e.g. "do_anonymous_page maps the shared zero page read-only". */
  text: string;
  source: KernelSource;
  /** VM_FAULT_OOM: no free frame. */
  oom?: boolean;
}

function isCowMapping(v: Vma): boolean {
  // is_cow_mapping(): private and may be written. Private mappings here are always
  // VM_MAYWRITE (the file is assumed opened read-write; anonymous memory always is).
  return !v.shared;
}

function oom(text: string, source: KernelSource): FaultResult {
  return { ok: false, text: `${text}, but no frame is free (VM_FAULT_OOM)`, source, oom: true };
}

/**
 * The page-fault handler for `va` in `vma` of `pid` (`handle_mm_fault` ->
 * `handle_pte_fault`, mm/memory.c, 6.12). The caller has checked that the VMA allows the
 * access. Mutates the draft `s`; returns what happened. The store or load itself is the
 * caller's (a write fault leaves a writable PTE; the caller then writes).
 */
export function handleMmFault(s: MmState, pid: number, vma: Vma, va: number, kind: FaultKind): FaultResult {
  const proc = s.procs[pid];
  const pte = getPte(proc, va);
  if (!pte) return faultNone(s, pid, vma, va, kind);
  if (!pte.present) return faultSwap(s, pid, va, pte, kind);
  return faultPresent(s, pid, vma, va, pte, kind);
}

function faultNone(s: MmState, pid: number, vma: Vma, va: number, kind: FaultKind): FaultResult {
  const write = kind === 'write';
  if (vma.kind === 'anon') {
    if (!write) {
      mapFrame(s, pid, va, s.zeroPfn, false, false);
      return { ok: true, text: `do_anonymous_page maps the shared zero page (pfn ${s.zeroPfn}) read-only`, source: SRC.doAnonymousPage };
    }
    const pfn = pickFree(s, 'user');
    if (pfn === null) return oom('do_anonymous_page needs a zeroed frame', SRC.doAnonymousPage);
    makeAnon(s, pfn, 'zero');
    mapFrame(s, pid, va, pfn, true, true);
    vma.anonVma = true;
    return { ok: true, text: `do_anonymous_page allocates zeroed frame pfn ${pfn} (${zoneName(s.frames[pfn].zone)}) and maps it writable`, source: SRC.doAnonymousPage };
  }
  // File-backed: find or read the page-cache page (filemap_fault).
  const file = vma.file as string;
  const index = vma.pgoff + (va - vma.start) / PAGE_SIZE;
  let cache = findPageCache(s, file, index);
  let readIn = '';
  if (cache === null) {
    cache = pickFree(s, 'user');
    if (cache === null) return oom(`filemap_fault must read ${file} page ${index}`, SRC.filemapFault);
    const f = s.frames[cache];
    f.use = 'file';
    f.file = { name: file, index };
    f.mappings = [];
    f.anonExclusive = false;
    f.dirty = false;
    f.data = `${file}#${index}`;
    f.dmaWritten = false;
    setRef(f, 1); // the page cache's reference
    readIn = `filemap_fault reads ${file} page ${index} into frame pfn ${cache}`;
  } else {
    readIn = `filemap_fault finds ${file} page ${index} in the page cache at pfn ${cache}`;
  }
  if (!write) {
    // Read faults map file pages read-only: private mappings break COW on write, shared
    // ones need a write fault for dirty tracking (write-notify).
    mapFrame(s, pid, va, cache, false, false);
    return { ok: true, text: `${readIn} and maps it read-only`, source: SRC.filemapFault };
  }
  if (vma.shared) {
    mapFrame(s, pid, va, cache, true, true);
    s.frames[cache].dirty = true;
    return { ok: true, text: `${readIn}; do_shared_fault maps it writable and marks it dirty`, source: SRC.doSharedFault };
  }
  const pfn = pickFree(s, 'user');
  if (pfn === null) return oom(`${readIn}; do_cow_fault needs a frame for the private copy`, SRC.doCowFault);
  makeAnon(s, pfn, s.frames[cache].data);
  mapFrame(s, pid, va, pfn, true, true);
  vma.anonVma = true;
  return { ok: true, text: `${readIn}; do_cow_fault copies it into a private anonymous frame pfn ${pfn} and maps that writable`, source: SRC.doCowFault };
}

function faultSwap(s: MmState, pid: number, va: number, pte: Pte, kind: FaultKind): FaultResult {
  const slot = pte.swap as number;
  const sl = s.swap[slot];
  const pfn = pickFree(s, 'user');
  if (pfn === null || !sl) return oom(`do_swap_page must read swap slot ${slot} back`, SRC.doSwapPage);
  // Simplification: no swap cache, so every swap-in gets its own exclusive frame.
  makeAnon(s, pfn, sl.data);
  s.frames[pfn].dirty = sl.dirty;
  swapFree(s, slot);
  const write = kind === 'write';
  mapFrame(s, pid, va, pfn, write, write);
  return {
    ok: true,
    text: `do_swap_page reads swap slot ${slot} back into frame pfn ${pfn} and maps it ${write ? 'writable' : 'read-only'}`,
    source: SRC.doSwapPage,
  };
}

function faultPresent(s: MmState, pid: number, vma: Vma, va: number, pte: Pte, kind: FaultKind): FaultResult {
  const pfn = pte.pfn as number;
  const write = kind === 'write';
  const proc = s.procs[pid];
  if (pfn === s.zeroPfn) {
    // Write (or unshare) of the zero page: wp_page_copy allocates a zeroed frame.
    const n = pickFree(s, 'user');
    if (n === null) return oom('wp_page_copy needs a frame to replace the zero page', SRC.wpPageCopy);
    makeAnon(s, n, 'zero');
    mapFrame(s, pid, va, n, write, write);
    vma.anonVma = true;
    return {
      ok: true,
      text: `wp_page_copy replaces the zero page with zeroed frame pfn ${n} (${zoneName(s.frames[n].zone)}) mapped ${write ? 'writable' : 'read-only'}`,
      source: SRC.wpPageCopy,
    };
  }
  const f = s.frames[pfn];
  if (f.use === 'file' && vma.shared) {
    // wp_page_shared: the write-notify fault of a clean shared file page.
    setPte(proc, va, { ...pte, writable: true, dirty: true, accessed: true });
    f.dirty = true;
    return { ok: true, text: `wp_page_shared makes the PTE of page-cache frame pfn ${pfn} writable and marks the page dirty`, source: SRC.wpPageShared };
  }
  if (f.use === 'anon') {
    // do_wp_page: reuse when the page is exclusive to us, or when nobody else holds a
    // reference (wp_can_reuse_anon_folio: refcount == 1); copy otherwise.
    if (f.anonExclusive || f.refcount === 1) {
      const was = f.anonExclusive;
      f.anonExclusive = true;
      if (write) setPte(proc, va, { ...pte, writable: true, dirty: true, accessed: true });
      const why = was ? 'the page is PageAnonExclusive' : 'its refcount is 1, so nobody else can see it';
      return {
        ok: true,
        text: write
          ? `wp_page_reuse makes the PTE of pfn ${pfn} writable again without copying (${why})`
          : `do_wp_page unshares pfn ${pfn} without copying (${why}) and marks it exclusive`,
        source: SRC.wpPageReuse,
      };
    }
  }
  // Copy: a shared anonymous page (COW after fork, or an extra reference), or a page-cache
  // page in a private mapping.
  const n = pickFree(s, 'user');
  if (n === null) return oom(`wp_page_copy needs a frame to copy pfn ${pfn}`, SRC.wpPageCopy);
  const refs = f.refcount;
  const mapcount = f.mappings.length;
  const why =
    f.use === 'file'
      ? 'a private mapping of a page-cache page'
      : `the page is shared: refcount ${refs}${refs > mapcount ? ` for ${mapcount} mapping${mapcount === 1 ? '' : 's'}` : ''}`;
  makeAnon(s, n, f.data);
  dropMapping(s, pid, va, pte);
  mapFrame(s, pid, va, n, write, write);
  vma.anonVma = true;
  return {
    ok: true,
    text: `wp_page_copy copies pfn ${pfn} into new frame pfn ${n} and maps the copy ${write ? 'writable' : 'read-only'} (${why})`,
    source: SRC.wpPageCopy,
  };
}

// ---------------------------------------------------------------------------------------
// fork, exit.

/**
 * fork(2)'s memory part (`dup_mmap`, kernel/fork.c; `copy_page_range` ->
 * `copy_present_pte`, mm/memory.c, 6.12): the child gets copies of the VMAs; page tables
 * are copied only for VMAs with anonymous pages (`vma_needs_copy`; file VMAs without them
 * fault lazily in the child). A private writable PTE is write-protected in both, the page
 * shared (refcount + 1, PageAnonExclusive cleared); but an anonymous page that may be
 * DMA-pinned (MMF_HAS_PINNED and `folio_maybe_dma_pinned`) is copied for the child at once
 * (`copy_present_page`) so the parent keeps its pinned page writable.
 * Mutates the draft; returns the child's pid and a summary, or null when out of frames.
 */
export function forkMm(s: MmState, pid: number): { child: number; shared: number; copied: number[]; } | null {
  const parent = s.procs[pid];
  const child: Proc = {
    pid: s.procs.length,
    parent: pid,
    status: 'running',
    killedBy: null,
    pc: 0,
    waiting: null,
    vmas: parent.vmas.map((v) => ({ ...v })),
    pgtables: emptyPgd(),
    mmapLock: { readers: [], writer: null },
    hasPinned: false,
    reads: [],
  };
  s.procs.push(child);
  let shared = 0;
  const copied: number[] = [];
  for (const vma of parent.vmas) {
    if (!vma.anonVma) continue;
    for (const [va, pte] of ptesInRange(parent, vma.start, vma.end)) {
      if (!pte.present) {
        const sl = s.swap[pte.swap as number];
        if (sl) sl.refs += 1; // swap_duplicate
        setPte(child, va, { ...pte });
        continue;
      }
      const pfn = pte.pfn as number;
      if (pfn === s.zeroPfn) {
        setPte(child, va, { ...pte });
        continue;
      }
      const f = s.frames[pfn];
      if (f.use === 'anon' && parent.hasPinned && folioMaybeDmaPinned(f)) {
        // folio_try_dup_anon_rmap_pte() refuses (folio_needs_cow_for_dma): copy now.
        const n = pickFree(s, 'user');
        if (n === null) return null;
        makeAnon(s, n, f.data);
        mapFrame(s, child.pid, va, n, vma.prot === 'rw', pte.dirty);
        copied.push(pfn);
        continue;
      }
      if (f.use === 'anon') f.anonExclusive = false;
      const wp = isCowMapping(vma) && pte.writable;
      const childPte: Pte = { ...pte, writable: pte.writable && !wp, accessed: pte.accessed };
      if (wp) setPte(parent, va, { ...pte, writable: false });
      setPte(child, va, childPte);
      f.mappings.push({ pid: child.pid, va });
      setRef(f, f.refcount + 1);
      shared++;
    }
  }
  return { child: child.pid, shared, copied };
}

/** exit(2)'s memory part (`exit_mmap`): every VMA unmapped, page tables freed. Returns pages zapped. */
export function exitMm(s: MmState, pid: number): number {
  const proc = s.procs[pid];
  let n = 0;
  for (const v of proc.vmas) n += zapRange(s, pid, v.start, v.end);
  proc.vmas = [];
  proc.pgtables = [];
  return n;
}

// ---------------------------------------------------------------------------------------
// Migration and swap-out.

/**
 * Moves the page in frame `from` to free frame `to`: copies data and flags
 * (`folio_mc_copy`, `folio_migrate_flags`), moves the page-cache slot, rewrites every PTE
 * that mapped it (`remove_migration_ptes` after `try_to_migrate`) and frees the old frame.
 * The caller has checked that nothing but mappings and the page cache hold references
 * (`folio_migrate_mapping`'s expected-refcount check).
 */
export function moveFrame(s: MmState, from: number, to: number): void {
  const a = s.frames[from];
  const b = s.frames[to];
  b.use = a.use;
  b.file = a.file ? { ...a.file } : null;
  b.anonExclusive = a.anonExclusive;
  b.dirty = a.dirty;
  b.data = a.data;
  b.dmaWritten = a.dmaWritten;
  b.mappings = a.mappings.map((m) => ({ ...m }));
  setRef(b, a.refcount);
  for (const m of b.mappings) {
    const proc = s.procs[m.pid];
    const pte = getPte(proc, m.va);
    if (pte && pte.present && pte.pfn === from) setPte(proc, m.va, { ...pte, pfn: to });
  }
  setRef(a, 0);
}

/** Why migration must leave frame `pfn` alone, or null if it may move. */
export function migrationBlocker(s: MmState, pfn: number): string | null {
  const f = s.frames[pfn];
  const exp = expectedRefs(f);
  const n = f.mappings.length;
  const maps = n === 0 ? 'no mappings' : n === 1 ? 'its mapping' : `its ${n} mappings`;
  const owners = f.use === 'file' ? `${maps} and the page cache account` : n === 1 ? `${maps} accounts` : `${maps} account`;
  if (folioMaybeDmaPinned(f)) return `its refcount ${f.refcount} is far more than the ${exp} ${owners} for, because it is pinned (folio_maybe_dma_pinned() is true)`;
  if (f.refcount !== exp) return `its refcount ${f.refcount} is more than the ${exp} ${owners} for, because someone holds an extra reference (not a pin: folio_maybe_dma_pinned() is false)`;
  return null;
}

/** A swap slot to write to, or null when the swap device is full (or absent). */
export function freeSwapSlot(s: MmState): number | null {
  for (let i = 0; i < s.swap.length; i++) if (s.swap[i] === null) return i;
  return null;
}

/**
 * Swaps out anonymous frame `pfn` (reclaim: `shrink_folio_list` -> `try_to_unmap` ->
 * `pageout`): writes it to `slot`, turns every PTE mapping it into a swap entry and frees
 * the frame. The caller has checked it may (see `migrationBlocker`).
 */
export function swapOutFrame(s: MmState, pfn: number, slot: number): void {
  const f = s.frames[pfn];
  let dirty = f.dirty;
  for (const m of f.mappings) {
    const proc = s.procs[m.pid];
    const pte = getPte(proc, m.va);
    if (pte && pte.present && pte.dirty) dirty = true;
    setPte(proc, m.va, { present: false, pfn: null, writable: false, dirty: false, accessed: false, swap: slot });
  }
  s.swap[slot] = { data: f.data, refs: f.mappings.length, dirty };
  setRef(f, 0);
}

/** `pfn 4 (ZONE_MOVABLE)` */
export function pfnLabel(s: MmState, pfn: number): string {
  return `pfn ${pfn} (${zoneName(s.frames[pfn].zone)})`;
}
