/**
 * The driver's side of the mm model: get_user_pages and pin_user_pages (mm/gup.c, 6.12),
 * their release calls, and programming the DMA device.
 *
 * Each function mutates a draft state (see `draft` in ./memory.ts) and returns the call's
 * result and one sentence of narration. `./model.ts` wraps them as scheduler steps;
 * `./session.ts` exposes them to exercise code as direct calls.
 *
 * What is modelled (the rest of mm/gup.c is left out):
 * - `is_valid_gup_args`: FOLL_PIN/FOLL_GET passed by the caller, FOLL_LONGTERM without
 *   FOLL_PIN: WARN_ON_ONCE, and `pin_user_pages` returns 0, the others -EINVAL.
 * - `__get_user_pages`: VMA lookup (no VMA: stop, -EFAULT if nothing was pinned yet),
 *   `check_vma_flags` (write to a read-only VMA, a long-term writable pin of a shared file
 *   mapping that needs dirty tracking: -EFAULT), `follow_page_mask` (a write needs a
 *   writable PTE; a read-only pin of a shared anon page must unshare: `gup_must_unshare`),
 *   `faultin_page` -> `handle_mm_fault`, then `try_grab_folio` (FOLL_GET: +1; FOLL_PIN:
 *   + GUP_PIN_COUNTING_BIAS, nothing on the zero page). Returns pages done or -errno.
 * - `__gup_longterm_locked` + `check_and_migrate_movable_pages`: with FOLL_LONGTERM, pages
 *   in ZONE_MOVABLE are collected; everything is unpinned, those pages migrated to
 *   ZONE_NORMAL (GFP_USER) and the range pinned again; a failed migration makes the whole
 *   call fail with -ENOMEM, nothing left pinned.
 * - `pin_user_pages_fast`: `gup_fast` walks the page tables without `mmap_lock` and pins
 *   while each PTE is present, not special, writable if needed, and (FOLL_LONGTERM) not in
 *   ZONE_MOVABLE; at the first page it cannot take it falls back to the slow path, which
 *   takes `mmap_read_lock` itself. Then: all pages, or the fast count if the slow path
 *   failed, or -errno if nothing at all.
 * Not modelled: FOLL_FORCE, FOLL_NOWAIT, signals (-EINTR), VM_FAULT_RETRY, hugetlb, THP,
 * fs-DAX, device memory, the seqcount race with fork in gup_fast.
 */
import { plural } from '../core/text.ts';
import type { KernelSource } from '../core/model.ts';
import { CALLER_FLAGS, EFAULT, EINVAL, ENOMEM, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_PIN_COUNTING_BIAS, follFlagsText, retText } from './constants.ts';
import {
  findVma,
  folioMaybeDmaPinned,
  getPte,
  handleMmFault,
  moveFrame,
  pickFree,
  setRef,
  src,
  zoneName,
} from './memory.ts';
import type { FaultKind } from './memory.ts';
import { PAGE_SIZE, TASK_SIZE_MAX, hex } from './walk.ts';
import type { Frame, HoldKind, MmState, Vma } from './types.ts';

export const GUP_SRC = {
  pinUserPages: src('mm/gup.c', 'pin_user_pages'),
  pinUserPagesFast: src('mm/gup.c', 'pin_user_pages_fast'),
  getUserPages: src('mm/gup.c', 'get_user_pages'),
  isValidGupArgs: src('mm/gup.c', 'is_valid_gup_args'),
  checkAndMigrate: src('mm/gup.c', 'check_and_migrate_movable_pages'),
  unpinDirtyLock: src('mm/gup.c', 'unpin_user_pages_dirty_lock'),
  unpinUserPages: src('mm/gup.c', 'unpin_user_pages'),
  setPageDirtyLock: src('mm/page-writeback.c', 'set_page_dirty_lock'),
  putPage: src('include/linux/mm.h', 'put_page'),
  mmapReadLock: src('include/linux/mmap_lock.h', 'mmap_read_lock'),
  mmapReadUnlock: src('include/linux/mmap_lock.h', 'mmap_read_unlock'),
  pagemapRead: src('fs/proc/task_mmu.c', 'pagemap_read'),
} as const;

/** Appended to get_user_pages narrations: the form the drivers in the original questions used. */
const OLD_GUP =
  ' (drivers once wrote get_user_pages(current, current->mm, start, nr, write, force, pages, NULL) under mmap_sem; task and mm went in 4.6, write and force became gup_flags in 4.9, vmas went in 6.5)';

/** Which GUP entry point a call uses. */
export type GupApi = 'pin_user_pages' | 'pin_user_pages_fast' | 'get_user_pages';

/** The result of a GUP call. */
export interface GupResult {
  /** Pages pinned (or referenced), 0, or a negative errno. */
  ret: number;
  /** The `pages` array: pfns of the pages pinned, `ret` entries (empty when ret <= 0). */
  pages: number[];
  /** One sentence of narration. */
  text: string;
  source: KernelSource;
}

function pfnList(pfns: readonly number[]): string {
  if (pfns.length === 0) return 'none';
  return (pfns.length === 1 ? 'pfn ' : 'pfns ') + pfns.join(', ');
}

/** "(refcount 1025 each)" / "(refcounts 1025, 2049)" */
function refText(s: MmState, pfns: readonly number[]): string {
  const rs = pfns.map((p) => s.frames[p].refcount);
  if (rs.length === 0) return '';
  if (rs.every((r) => r === rs[0])) return rs.length === 1 ? ` (refcount ${rs[0]})` : ` (refcount ${rs[0]} each)`;
  return ` (refcounts ${rs.join(', ')})`;
}

/** "refcount 1025 → 1 each" / "refcount 1024 → 0: freed" / "refcounts 1025 → 1, 2049 → 1025" after dropping `d` from each. */
function refChange(s: MmState, pfns: readonly number[], d: number): string {
  const after = pfns.map((p) => (s.frames[p].use === 'free' ? 0 : s.frames[p].refcount));
  const one = (a: number): string => `${a + d} → ${a}${a === 0 ? ': freed' : ''}`;
  if (after.every((a) => a === after[0])) return `refcount ${one(after[0])}${pfns.length > 1 ? ' each' : ''}`;
  return `refcounts ${after.map(one).join(', ')}`;
}

function checkCallArgs(api: string, start: number, nrPages: number): void {
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`${api}: start must be a non-negative integer address, got ${String(start)}`);
  }
  if (typeof nrPages !== 'number' || !Number.isSafeInteger(nrPages) || nrPages < 0) {
    throw new RangeError(`${api}: nr_pages must be a non-negative integer number of pages, got ${String(nrPages)}`);
  }
  if (nrPages > 4096) throw new RangeError(`${api}: nr_pages ${nrPages} is more than this model handles (4096)`);
}

function addHeld(s: MmState, pfn: number, kind: 'pins' | 'refs', d: number): void {
  const h = s.acct.held[pfn] ?? { pins: 0, refs: 0 };
  const next = { ...h, [kind]: h[kind] + d };
  if (next.pins === 0 && next.refs === 0) delete s.acct.held[pfn];
  else s.acct.held[pfn] = next;
}

/** `try_grab_folio` on frame `pfn` with FOLL_PIN or FOLL_GET. */
function grab(s: MmState, pfn: number, pin: boolean): void {
  const f = s.frames[pfn];
  if (pin) {
    addHeld(s, pfn, 'pins', 1);
    if (pfn === s.zeroPfn) return; // "Don't take a pin on the zero page"
    setRef(f, f.refcount + GUP_PIN_COUNTING_BIAS);
    s.acct.pinAcquired += 1;
  } else {
    addHeld(s, pfn, 'refs', 1);
    setRef(f, f.refcount + 1);
  }
}

/** `gup_put_folio(folio, 1, FOLL_PIN)`: drops one pin (the bias), nothing for the zero page. */
function unpinOne(s: MmState, pfn: number): void {
  addHeld(s, pfn, 'pins', -1);
  if (pfn === s.zeroPfn) return;
  const f = s.frames[pfn];
  setRef(f, f.refcount - GUP_PIN_COUNTING_BIAS);
  s.acct.pinReleased += 1;
}

/** `check_vma_flags` (mm/gup.c): 0 or -EFAULT, with the reason. */
function checkVmaFlags(vma: Vma, flags: number): { err: number; why: string } {
  const write = (flags & FOLL_WRITE) !== 0;
  if (write) {
    if (vma.kind === 'file' && vma.shared && (flags & (FOLL_PIN | FOLL_LONGTERM)) === (FOLL_PIN | FOLL_LONGTERM)) {
      return { err: -EFAULT, why: `the ${vma.name} VMA is a shared file mapping that needs dirty tracking, which a long-term writable pin would defeat (writable_file_mapping_allowed)` };
    }
    if (vma.prot !== 'rw') return { err: -EFAULT, why: `the ${vma.name} VMA is not writable` };
  } else if (vma.prot === 'none') {
    return { err: -EFAULT, why: `the ${vma.name} VMA is PROT_NONE` };
  }
  return { err: 0, why: '' };
}

/** `gup_must_unshare` (include/linux/mm.h): a read-only pin of a page the process might lose to COW. */
function mustUnshare(vma: Vma, flags: number, f: Frame): boolean {
  if ((flags & (FOLL_WRITE | FOLL_PIN)) !== FOLL_PIN) return false;
  if (f.use !== 'anon') {
    // The zero page and page-cache pages: only long-term pins in COW mappings unshare.
    if (!(flags & FOLL_LONGTERM)) return false;
    return !vma.shared; // is_cow_mapping
  }
  return !f.anonExclusive;
}

/** What `follow_page_mask` does with the PTE at `va`: a page to grab, or the fault to take first. */
function follow(s: MmState, pid: number, vma: Vma, va: number, flags: number): { pfn: number } | { fault: FaultKind } {
  const pte = getPte(s.procs[pid], va);
  const write = (flags & FOLL_WRITE) !== 0;
  if (!pte || !pte.present || pte.pfn === null) return { fault: write ? 'write' : 'read' };
  if (write && !pte.writable) return { fault: 'write' }; // can_follow_write_pte() fails
  const f = s.frames[pte.pfn];
  if (!pte.writable && mustUnshare(vma, flags, f)) return { fault: 'unshare' };
  return { pfn: pte.pfn };
}

interface SlowResult {
  ret: number;
  pages: number[];
  faults: { va: number; fn: string; oom: boolean }[];
  stop: string;
}

/**
 * `__get_user_pages` (mm/gup.c) for `nr` pages from page-aligned `base`: look up, fault in,
 * grab. Returns pages done (`i ? i : ret`) and what happened.
 */
function getUserPagesCore(s: MmState, pid: number, base: number, nr: number, flags: number, touch: boolean): SlowResult {
  const pin = (flags & FOLL_PIN) !== 0;
  const pages: number[] = [];
  const faults: SlowResult['faults'] = [];
  let err = 0;
  let stop = '';
  for (let i = 0; i < nr; i++) {
    const va = base + i * PAGE_SIZE;
    const proc = s.procs[pid];
    const vma = findVma(proc, va);
    if (!vma) {
      err = -EFAULT;
      stop = `stops at ${hex(va)}, where no VMA is mapped`;
      break;
    }
    const chk = checkVmaFlags(vma, flags);
    if (chk.err) {
      err = chk.err;
      stop = `stops at ${hex(va)}: ${chk.why}`;
      break;
    }
    let got: number | null = null;
    for (let attempt = 0; attempt < 4 && got === null; attempt++) {
      const r = follow(s, pid, vma, va, flags);
      if ('pfn' in r) {
        got = r.pfn;
        break;
      }
      const fr = handleMmFault(s, pid, vma, va, r.fault);
      faults.push({ va, fn: fr.source.fn, oom: !fr.ok });
      if (!fr.ok) {
        err = -ENOMEM;
        stop = `stops at ${hex(va)}: no free frame to fault it in (VM_FAULT_OOM)`;
        break;
      }
    }
    if (got === null) {
      if (err === 0) {
        err = -EFAULT;
        stop = `stops at ${hex(va)}`;
      }
      break;
    }
    grab(s, got, pin);
    if (touch && flags & FOLL_WRITE && got !== s.zeroPfn) {
      // FOLL_TOUCH with FOLL_WRITE: follow_page_pte marks the page dirty now (set_page_dirty).
      s.frames[got].dirty = true;
    }
    pages.push(got);
  }
  return { ret: pages.length > 0 ? pages.length : err, pages, faults, stop };
}

/** "faults in 3 pages (do_anonymous_page)" */
function faultText(faults: SlowResult['faults']): string {
  const ok = faults.filter((f) => !f.oom);
  if (ok.length === 0) return '';
  const fns = [...new Set(ok.map((f) => f.fn))].join(', ');
  const pagesFaulted = new Set(ok.map((f) => f.va)).size;
  return `faults in ${plural(pagesFaulted, 'page')} (${fns})`;
}

/**
 * `__gup_longterm_locked` (mm/gup.c): the GUP core, plus, with FOLL_LONGTERM, moving pinned
 * pages out of ZONE_MOVABLE and pinning again (`check_and_migrate_movable_pages`).
 */
function gupLongtermLocked(s: MmState, pid: number, base: number, nr: number, flags: number, touch: boolean): SlowResult & { migrated: [number, number][]; migrateFail: string } {
  const migrated: [number, number][] = [];
  let allFaults: SlowResult['faults'] = [];
  for (let round = 0; round < 4; round++) {
    const r = getUserPagesCore(s, pid, base, nr, flags, touch);
    allFaults = allFaults.concat(r.faults);
    if (!(flags & FOLL_LONGTERM) || r.ret <= 0) return { ...r, faults: allFaults, migrated, migrateFail: '' };
    // folio_is_longterm_pinnable(): not in ZONE_MOVABLE (the zero page always is).
    const collected = r.pages.filter((p) => p !== s.zeroPfn && s.frames[p].zone === 'movable');
    if (collected.length === 0) return { ...r, faults: allFaults, migrated, migrateFail: '' };
    // migrate_longterm_unpinnable_folios(): unpin everything, migrate, retry (-EAGAIN).
    for (const p of r.pages) unpinOne(s, p);
    for (const p of collected) {
      const f = s.frames[p];
      if (folioMaybeDmaPinned(f) || f.refcount !== f.mappings.length + (f.use === 'file' ? 1 : 0)) {
        const why = folioMaybeDmaPinned(f) ? 'someone else still pins it' : `it has references beyond its mappings (refcount ${f.refcount})`;
        return { ret: -ENOMEM, pages: [], faults: allFaults, stop: '', migrated, migrateFail: `cannot migrate pfn ${p} (${why}), so everything stays unpinned` };
      }
      const to = pickFree(s, 'normal');
      if (to === null) {
        return { ret: -ENOMEM, pages: [], faults: allFaults, stop: '', migrated, migrateFail: `finds no free frame in ZONE_NORMAL for pfn ${p}, so everything stays unpinned` };
      }
      moveFrame(s, p, to);
      migrated.push([p, to]);
    }
  }
  /* c8 ignore next */
  return { ret: -ENOMEM, pages: [], faults: allFaults, stop: 'gives up after repeated migrations', migrated, migrateFail: '' };
}

/** `is_valid_gup_args` (mm/gup.c): the WARN text, or null when the flags are fine. */
function invalidFlags(api: GupApi, flags: number): string | null {
  if (flags & FOLL_PIN) return 'FOLL_PIN is internal to mm/gup.c: passing it trips WARN_ON_ONCE in is_valid_gup_args';
  const eff = api === 'get_user_pages' ? flags : flags | FOLL_PIN;
  if ((eff & (FOLL_PIN | FOLL_GET)) === (FOLL_PIN | FOLL_GET)) return 'FOLL_GET and FOLL_PIN are mutually exclusive: WARN_ON_ONCE in is_valid_gup_args';
  if (eff & FOLL_LONGTERM && !(eff & FOLL_PIN)) return 'FOLL_LONGTERM can only be used when pinning (FOLL_PIN): WARN_ON_ONCE in is_valid_gup_args';
  return null;
}

/**
 * One GUP call by the driver on process `pid`'s address space:
 * `pin_user_pages(start, nrPages, flags, pages)` (caller holds `mmap_read_lock`),
 * `pin_user_pages_fast(...)` (no lock), or the historical-style
 * `get_user_pages(start, nrPages, flags, pages)` (FOLL_GET: +1 per page, no pin).
 *
 * - `start`: user address in bytes (the page containing it is the first page);
 * - `nrPages`: pages, a non-negative integer;
 * - `flags`: FOLL_WRITE and/or FOLL_LONGTERM (`./constants.ts`).
 *
 * Returns the pages pinned (possibly fewer than asked: the range ran into a hole or a VMA
 * the flags do not allow), 0 for `nrPages` 0 (or, for `pin_user_pages`, invalid flags), or
 * a negative errno when nothing was pinned (-EFAULT, -ENOMEM, -EINVAL). Mutates the draft.
 * Throws `RangeError` for a non-integer or negative `start`/`nrPages` or flags this model
 * does not know (anything but FOLL_WRITE, FOLL_LONGTERM, FOLL_PIN, FOLL_GET).
 * Models mm/gup.c `pin_user_pages`, `pin_user_pages_fast`, `get_user_pages` (6.12).
 */
export function gupCall(s: MmState, pid: number, api: GupApi, start: number, nrPages: number, flags: number): GupResult {
  checkCallArgs(api, start, nrPages);
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags & ~(CALLER_FLAGS | FOLL_PIN | FOLL_GET)) {
    throw new RangeError(`${api}: flags ${String(flags)} include flags this model does not know (use FOLL_WRITE, FOLL_LONGTERM)`);
  }
  const call = `${api}(${hex(start)}, ${nrPages}, ${follFlagsText(flags)})`;
  const source = api === 'pin_user_pages' ? GUP_SRC.pinUserPages : api === 'pin_user_pages_fast' ? GUP_SRC.pinUserPagesFast : GUP_SRC.getUserPages;
  const bad = invalidFlags(api, flags);
  if (bad) {
    s.acct.warnings.push(`${call}: ${bad}`);
    const ret = api === 'pin_user_pages' ? 0 : -EINVAL;
    return { ret, pages: [], text: `${call}, which fails its argument check (${bad}) and returns ${retText(ret)}.`, source: GUP_SRC.isValidGupArgs };
  }
  const pin = api !== 'get_user_pages';
  const gflags = pin ? flags | FOLL_PIN : flags | FOLL_GET;
  const proc = s.procs[pid];
  // mm_set_has_pinned_flag: gup_fast_fallback sets it first thing; __get_user_pages_locked
  // only after its nr_pages == 0 check.
  if (pin && (api === 'pin_user_pages_fast' || nrPages > 0)) proc.hasPinned = true;
  if (nrPages === 0) return { ret: 0, pages: [], text: `${call}, which has nothing to do and returns 0.`, source };

  let lockNote = '';
  if (api !== 'pin_user_pages_fast' && !s.driver.holdsMmapLock) {
    s.acct.warnings.push(`${call}: called without mmap_read_lock held (mmap_assert_locked in __get_user_pages_locked)`);
    lockNote = 'runs without mmap_read_lock held (mmap_assert_locked would complain under lockdep), ';
  }
  const base = start - (start % PAGE_SIZE);
  const parts: string[] = [];
  let pages: number[] = [];
  let ret: number;

  if (api === 'pin_user_pages_fast') {
    // gup_fast_fallback: start &= PAGE_MASK; range checks; lockless walk; slow fallback.
    const end = base + nrPages * PAGE_SIZE;
    if (end > TASK_SIZE_MAX) {
      return { ret: -EFAULT, pages: [], text: `${call}, which rejects a range that ends above TASK_SIZE_MAX and returns -EFAULT.`, source };
    }
    const fast: number[] = [];
    for (let i = 0; i < nrPages; i++) {
      const va = base + i * PAGE_SIZE;
      const pte = getPte(proc, va);
      if (!pte || !pte.present || pte.pfn === null || pte.pfn === s.zeroPfn) break; // pte_special: the zero page falls back
      if (flags & FOLL_WRITE && !pte.writable) break; // pte_access_permitted
      const f = s.frames[pte.pfn];
      if (flags & FOLL_LONGTERM && f.zone === 'movable') break; // try_grab_folio_fast: not longterm-pinnable
      if (f.use === 'file' && flags & FOLL_WRITE && flags & FOLL_LONGTERM) break; // gup_fast_folio_allowed
      if (!pte.writable && ((f.use === 'anon' && !f.anonExclusive) || (f.use === 'file' && flags & FOLL_LONGTERM))) break; // gup_must_unshare
      grab(s, pte.pfn, true);
      fast.push(pte.pfn);
    }
    if (fast.length === nrPages) {
      return {
        ret: nrPages,
        pages: fast,
        text: `${call}, which pins ${pfnList(fast)}${refText(s, fast)} in gup_fast's lockless walk and returns ${nrPages}.`,
        source,
      };
    }
    if (fast.length > 0) parts.push(`pins ${pfnList(fast)} in gup_fast's lockless walk`);
    const at = hex(base + fast.length * PAGE_SIZE);
    parts.push(`${fast.length > 0 ? 'then ' : ''}falls back at ${at} to the slow path, which takes mmap_read_lock itself`);
    const r = gupLongtermLocked(s, pid, base + fast.length * PAGE_SIZE, nrPages - fast.length, gflags, true);
    describeSlow(s, r, parts, true);
    if (r.ret < 0) {
      ret = fast.length > 0 ? fast.length : r.ret;
      pages = fast;
    } else {
      ret = fast.length + r.ret;
      pages = fast.concat(r.pages);
    }
  } else {
    const r = gupLongtermLocked(s, pid, base, nrPages, gflags, api === 'get_user_pages');
    describeSlow(s, r, parts, pin);
    ret = r.ret;
    pages = r.ret > 0 ? r.pages : [];
  }
  const partial = ret > 0 && ret < nrPages ? ` of ${nrPages} (a partial ${pin ? 'pin' : 'result'}: the caller must release those ${ret})` : '';
  const history = pin ? '' : OLD_GUP;
  const text = `${call}, which ${lockNote}${parts.join(', ')}, and returns ${retText(ret)}${partial}${history}.`;
  return { ret, pages, text, source };
}

function describeSlow(s: MmState, r: ReturnType<typeof gupLongtermLocked>, parts: string[], pin: boolean): void {
  const ft = faultText(r.faults);
  if (ft) parts.push(ft);
  if (r.migrated.length > 0) {
    const from = r.migrated.map(([a]) => a);
    const to = r.migrated.map(([, b]) => b);
    parts.push(`finds ${pfnList(from)} in ZONE_MOVABLE, so check_and_migrate_movable_pages unpins the range and migrates ${from.length === 1 ? 'it' : 'them'} to ${pfnList(to)} in ZONE_NORMAL`);
  }
  if (r.migrateFail) {
    parts.push(r.migrateFail);
    return;
  }
  if (r.ret > 0) {
    const zeroHit = r.pages.includes(s.zeroPfn);
    const verb = (r.migrated.length > 0 ? 'then ' : '') + (pin ? 'pins' : 'takes a plain reference (FOLL_GET) on');
    parts.push(`${verb} ${pfnList(r.pages)}${refText(s, r.pages)}${pin && zeroHit ? ` (no pin is taken on the zero page, pfn ${s.zeroPfn})` : ''}`);
  }
  if (r.stop) parts.push(r.stop);
}

// ---------------------------------------------------------------------------------------
// Releasing.

function releaseCount(api: string, pages: readonly number[], npages: number): void {
  if (typeof npages !== 'number' || !Number.isSafeInteger(npages) || npages < 0) {
    throw new RangeError(`${api}: npages must be a non-negative integer, got ${String(npages)}`);
  }
  void pages;
}

function bad(s: MmState, call: string, pfn: number, reason: string): void {
  s.acct.badReleases.push({ call, pfn, step: s.stepIndex + 1, reason });
}

/**
 * `unpin_user_pages_dirty_lock(pages, npages, make_dirty)` (mm/gup.c, 6.12), or with
 * `dirtyApi` false `unpin_user_pages(pages, npages)`: for each of the first `npages`
 * entries, mark the page dirty if asked and it is clean (`folio_mark_dirty`), then drop one
 * pin (`gup_put_folio`: - GUP_PIN_COUNTING_BIAS; nothing for the zero page); a page whose
 * refcount reaches 0 is freed. An entry the driver does not hold pinned (a double unpin, or
 * `npages` beyond what was pinned) is recorded in `acct.badReleases` and left alone (the
 * real kernel would corrupt the refcount). Throws `RangeError` for a bad `npages`.
 */
export function unpinCall(s: MmState, pages: readonly number[], npages: number, makeDirty: boolean, dirtyApi: boolean, callText?: string): { text: string; source: KernelSource } {
  const api = dirtyApi ? 'unpin_user_pages_dirty_lock' : 'unpin_user_pages';
  releaseCount(api, pages, npages);
  const call = callText ?? (dirtyApi ? `unpin_user_pages_dirty_lock(pages, ${npages}, ${makeDirty})` : `unpin_user_pages(pages, ${npages})`);
  const done: number[] = [];
  const dirtied: number[] = [];
  const wrong: string[] = [];
  for (let i = 0; i < npages; i++) {
    const pfn = pages[i];
    if (pfn === undefined) {
      bad(s, 'unpin_user_page', -1, `pages[${i}] is beyond the ${pages.length} entries the pin call filled`);
      wrong.push(`pages[${i}] was never filled`);
      continue;
    }
    const held = s.acct.held[pfn];
    if (!held || held.pins === 0) {
      bad(s, 'unpin_user_page', pfn, `pfn ${pfn} is not pinned by the driver (a double unpin, or a page that was never pinned)`);
      wrong.push(`pfn ${pfn} is not pinned`);
      continue;
    }
    const f = s.frames[pfn];
    if (makeDirty && pfn !== s.zeroPfn && !f.dirty) {
      f.dirty = true;
      dirtied.push(pfn);
    }
    unpinOne(s, pfn);
    done.push(pfn);
  }
  const parts: string[] = [];
  if (done.length > 0) {
    parts.push(`${dirtied.length > 0 ? `marks ${pfnList(dirtied)} dirty and ` : ''}drops the pin on ${pfnList(done)} (${refChange(s, done, GUP_PIN_COUNTING_BIAS)})`);
  } else if (npages === 0) {
    parts.push('has nothing to release');
  }
  if (wrong.length > 0) parts.push(`${done.length > 0 ? 'but ' : 'but '}${wrong.join(', ')}: the real kernel would underflow the refcount or steal someone else's pin`);
  return { text: `${call}, which ${parts.join(' ')}.`, source: dirtyApi ? GUP_SRC.unpinDirtyLock : GUP_SRC.unpinUserPages };
}

/**
 * History: `put_page(page)` on the first `npages` entries (include/linux/mm.h, 6.12): drops
 * one plain reference (refcount - 1; the page is freed at 0). On a page the driver pinned
 * rather than referenced, put_page drops 1 of the 1024 bias: recorded as a bad release,
 * applied as the kernel would. On a page it holds nothing on: recorded, left alone.
 */
export function putPageCall(s: MmState, pages: readonly number[], npages: number): { text: string; source: KernelSource } {
  releaseCount('put_page', pages, npages);
  const done: number[] = [];
  const wrong: string[] = [];
  for (let i = 0; i < npages; i++) {
    const pfn = pages[i];
    if (pfn === undefined) {
      bad(s, 'put_page', -1, `pages[${i}] is beyond the ${pages.length} entries filled`);
      wrong.push(`pages[${i}] was never filled`);
      continue;
    }
    const held = s.acct.held[pfn];
    const f = s.frames[pfn];
    if (held && held.refs > 0) {
      addHeld(s, pfn, 'refs', -1);
      setRef(f, f.refcount - 1);
      done.push(pfn);
    } else if (held && held.pins > 0) {
      bad(s, 'put_page', pfn, `pfn ${pfn} was pinned with FOLL_PIN: it must be released with unpin_user_page, not put_page`);
      setRef(f, f.refcount - 1);
      wrong.push(`pfn ${pfn} is pinned, so put_page leaves refcount ${f.refcount} and the pin can never be balanced`);
    } else {
      bad(s, 'put_page', pfn, `pfn ${pfn} holds no reference of the driver's (a double put_page)`);
      wrong.push(`the driver holds no reference on pfn ${pfn}`);
    }
  }
  const parts: string[] = [];
  if (done.length > 0) parts.push(`drops the plain reference on ${pfnList(done)} (${refChange(s, done, 1)})`);
  if (npages === 0) parts.push('has nothing to release');
  if (wrong.length > 0) parts.push(`${done.length > 0 ? 'but ' : ''}${wrong.join('; ')}`);
  return { text: `put_page on ${plural(npages, 'page')} ${parts.join(' ')}.`, source: GUP_SRC.putPage };
}

/** History: `set_page_dirty_lock(page)` on the first `npages` entries: PG_dirty set. */
export function setPageDirtyCall(s: MmState, pages: readonly number[], npages: number): { text: string; source: KernelSource } {
  releaseCount('set_page_dirty_lock', pages, npages);
  const done: number[] = [];
  for (let i = 0; i < npages && i < pages.length; i++) {
    const f = s.frames[pages[i]];
    if (f.use === 'anon' || f.use === 'file') {
      f.dirty = true;
      done.push(f.pfn);
    }
  }
  return { text: `set_page_dirty_lock marks ${pfnList(done)} dirty.`, source: GUP_SRC.setPageDirtyLock };
}

/**
 * The bug: read the frames' numbers once, as /proc/self/pagemap reports them
 * (fs/proc/task_mmu.c `pagemap_read`, 6.12), and keep them with no reference at all.
 * Stops at the first page not present (nothing is faulted in). Returns the pfns found.
 */
export function lookupPfnsCall(s: MmState, pid: number, start: number, nrPages: number): GupResult {
  checkCallArgs('lookup_pfns', start, nrPages);
  const base = start - (start % PAGE_SIZE);
  const pages: number[] = [];
  for (let i = 0; i < nrPages; i++) {
    const pte = getPte(s.procs[pid], base + i * PAGE_SIZE);
    if (!pte || !pte.present || pte.pfn === null) break;
    pages.push(pte.pfn);
  }
  const where = pages.map((p) => zoneName(s.frames[p].zone));
  const zones = [...new Set(where)].join(' and ');
  const tail = pages.length < nrPages ? `; page ${pages.length} is not present, so the lookup stops there` : '';
  return {
    ret: pages.length,
    pages,
    text: `The driver reads the frame numbers of ${plural(nrPages, 'page')} at ${hex(base)} once, as /proc/self/pagemap reports them, and keeps ${pfnList(pages)}${pages.length ? ` (${zones})` : ''} without taking any reference${tail}.`,
    source: GUP_SRC.pagemapRead,
  };
}

/** How the driver holds pages after a call of `api`. */
export function holdKindOf(api: GupApi | 'lookup_pfns'): HoldKind {
  return api === 'get_user_pages' ? 'ref' : api === 'lookup_pfns' ? 'none' : 'pin';
}
