/**
 * A session: the mm model driven by direct calls, the way exercise code calls the kernel.
 *
 * Exercise 4 hands the learner a `KernelApi` and asks them to pin a user buffer (which may
 * only partly pin) and either pin it all or release exactly what was pinned; the grader
 * then reads the simulator's own books with `checkPins(session.state)`.
 *
 *     const k = createSession(params);
 *     const pages: number[] = [];
 *     k.mmap_read_lock();
 *     const ret = k.pin_user_pages(start, nr, FOLL_WRITE, pages);
 *     k.mmap_read_unlock();
 *     if (ret < nr) { if (ret > 0) k.unpin_user_pages(pages, ret); ... }
 *
 * Every call is one step: the session keeps the list of states (a player can show the
 * trace), each with its narration and kernel source. Calls are the driver's, on process 0's
 * mm, and record `{ actor: 'driver' }` as their `lastChoice` (they are not replayable from
 * `params.driver`). Pure model underneath; the session object itself holds the current
 * state (one per session, no module-level state).
 */
import type { KernelSource } from '../core/model.ts';
import { checkPins } from './accounting.ts';
import type { PinReport } from './accounting.ts';
import { gupCall, holdKindOf, putPageCall, setPageDirtyCall, unpinCall, GUP_SRC } from './gup.ts';
import type { GupApi } from './gup.ts';
import { draft, src } from './memory.ts';
import { applyDriverOp, initialState, mmModel, stepUnchecked } from './model.ts';
import { TASK_SIZE_MAX } from './walk.ts';
import type { MmChoice, MmParams, MmState } from './types.ts';

/** The kernel calls a driver (or a learner's code) can make, with the kernel's names and argument order. */
export interface KernelApi {
  /** `mmap_read_lock(current->mm)`. */
  mmap_read_lock(): void;
  /** `mmap_read_unlock(current->mm)`. */
  mmap_read_unlock(): void;
  /**
   * `pin_user_pages(start, nr_pages, gup_flags, pages)`: pins up to `nr_pages` pages from the
   * page holding `start` (bytes), pushing their pfns onto `pages`. Returns the count pinned
   * (maybe fewer than asked), 0 for nr_pages 0 or invalid flags, or a negative errno when
   * none. Needs `mmap_read_lock`. Throws `RangeError` for non-integer or negative arguments.
   */
  pin_user_pages(start: number, nr_pages: number, gup_flags: number, pages: number[]): number;
  /** `pin_user_pages_fast(start, nr_pages, gup_flags, pages)`: the same without the lock (-EINVAL for invalid flags). */
  pin_user_pages_fast(start: number, nr_pages: number, gup_flags: number, pages: number[]): number;
  /** `get_user_pages(start, nr_pages, gup_flags, pages)`: plain references (FOLL_GET). Needs `mmap_read_lock`. */
  get_user_pages(start: number, nr_pages: number, gup_flags: number, pages: number[]): number;
  /** `unpin_user_page(page)`. */
  unpin_user_page(page: number): void;
  /** `unpin_user_pages(pages, npages)`. */
  unpin_user_pages(pages: readonly number[], npages: number): void;
  /** `unpin_user_pages_dirty_lock(pages, npages, make_dirty)`. */
  unpin_user_pages_dirty_lock(pages: readonly number[], npages: number, make_dirty: boolean): void;
  /** `set_page_dirty_lock(page)`. */
  set_page_dirty_lock(page: number): void;
  /** `put_page(page)` (for FOLL_GET references only). */
  put_page(page: number): void;
}

/** A session: the kernel API plus controls for the rest of the simulated machine. */
export interface MmSession extends KernelApi {
  /** The current state. */
  readonly state: MmState;
  /** Every state so far, the initial one first. */
  readonly states: readonly MmState[];
  /** Process `pid` (default 0) loads from (`write` false) or stores to `va`: faults as needed. */
  touch(va: number, write?: boolean, pid?: number): void;
  /** The device writes into the first `npages` of `pages` by DMA, page by page, and the driver waits for it. */
  dma(pages: readonly number[], npages?: number): void;
  /** Applies one scheduler choice if it is enabled (e.g. `{ actor: 'kernel', op: 'compact', pfn }`); throws `Error` if not. */
  run(choice: MmChoice): void;
  /** `checkPins(state)`: the driver's books. */
  checkPins(): PinReport;
}

/**
 * Creates a session from parameters (validated: `RangeError` on bad ones) or from an
 * existing state (used as is). The kernel background work and the scripted programs in
 * `params` only run when `run` asks for them.
 */
export function createSession(from: MmParams | MmState): MmSession {
  const start: MmState = 'procs' in from ? from : initialState(from);
  const states: MmState[] = [start];
  const cur = (): MmState => states[states.length - 1];

  const commit = (s: MmState, narration: string, source: KernelSource | null, actor: number | string = 'driver'): void => {
    states.push({ ...s, stepIndex: cur().stepIndex + 1, event: { narration, source, actor }, lastChoice: { actor: 'driver' } });
  };

  const gup = (api: GupApi, start: number, nr: number, flags: number, pages: number[]): number => {
    if (!Array.isArray(pages)) throw new RangeError(`${api}: pages must be an array to fill`);
    const s = draft(cur());
    const r = gupCall(s, 0, api, start, nr, flags);
    s.driver.pages = r.pages;
    s.driver.ret = r.ret;
    s.driver.hold = holdKindOf(api);
    commit(s, `The driver calls ${r.text}`, r.source);
    for (const p of r.pages) pages.push(p);
    return r.ret;
  };

  const checkPage = (fn: string, page: number): void => {
    if (!Number.isSafeInteger(page) || page < 0 || page >= cur().frames.length) throw new RangeError(`${fn}: ${String(page)} is not a page (a pfn from a pin or get call)`);
  };

  const session: MmSession = {
    get state() {
      return cur();
    },
    get states() {
      return states;
    },
    mmap_read_lock() {
      const s = draft(cur());
      const r = applyDriverOp(s, { kind: 'mmap_read_lock' }, []);
      commit(s, r.narration, r.source);
    },
    mmap_read_unlock() {
      const s = draft(cur());
      const r = applyDriverOp(s, { kind: 'mmap_read_unlock' }, []);
      commit(s, r.narration, r.source);
    },
    pin_user_pages: (start, nr, flags, pages) => gup('pin_user_pages', start, nr, flags, pages),
    pin_user_pages_fast: (start, nr, flags, pages) => gup('pin_user_pages_fast', start, nr, flags, pages),
    get_user_pages: (start, nr, flags, pages) => gup('get_user_pages', start, nr, flags, pages),
    unpin_user_page(page) {
      checkPage('unpin_user_page', page);
      const s = draft(cur());
      const r = unpinCall(s, [page], 1, false, false, `unpin_user_page(pfn ${page})`);
      commit(s, `The driver calls ${r.text}`, src('mm/gup.c', 'unpin_user_page'));
    },
    unpin_user_pages(pages, npages) {
      const s = draft(cur());
      const r = unpinCall(s, [...pages], npages, false, false);
      commit(s, `The driver calls ${r.text}`, r.source);
    },
    unpin_user_pages_dirty_lock(pages, npages, makeDirty) {
      if (typeof makeDirty !== 'boolean') throw new RangeError('unpin_user_pages_dirty_lock: make_dirty must be a boolean');
      const s = draft(cur());
      const r = unpinCall(s, [...pages], npages, makeDirty, true);
      commit(s, `The driver calls ${r.text}`, r.source);
    },
    set_page_dirty_lock(page) {
      checkPage('set_page_dirty_lock', page);
      const s = draft(cur());
      const r = setPageDirtyCall(s, [page], 1);
      commit(s, `The driver's ${r.text}`, r.source);
    },
    put_page(page) {
      checkPage('put_page', page);
      const s = draft(cur());
      const r = putPageCall(s, [page], 1);
      commit(s, `The driver's ${r.text}`, GUP_SRC.putPage);
    },
    touch(va, write = false, pid = 0) {
      const op = write ? ({ kind: 'write', va } as const) : ({ kind: 'read', va } as const);
      // A direct process step, whatever the process's program says (its pc is kept).
      const base = cur();
      if (!base.procs[pid] || base.procs[pid].status !== 'running' || base.procs[pid].waiting) throw new Error(`touch: process ${pid} is not running`);
      if (!Number.isSafeInteger(va) || va < 0 || va >= TASK_SIZE_MAX) throw new RangeError(`touch: ${String(va)} is not a user address`);
      const next = stepUnchecked(base, { actor: 'process', pid, op });
      const procs = next.procs.slice();
      procs[pid] = { ...procs[pid], pc: base.procs[pid].pc };
      states.push({ ...next, procs });
    },
    dma(pages, npages) {
      const s = draft(cur());
      const r = applyDriverOp(s, npages === undefined ? { kind: 'start_dma' } : { kind: 'start_dma', npages }, [...pages]);
      commit(s, r.narration, r.source);
      for (let t = cur().device.transfer; t && t.done < t.pfns.length; t = cur().device.transfer) {
        states.push(mmModel.step(cur(), { actor: 'device' }));
      }
      const w = draft(cur());
      const r2 = applyDriverOp(w, { kind: 'wait_dma' }, []);
      commit(w, r2.narration, r2.source);
    },
    run(choice) {
      states.push(mmModel.step(cur(), choice));
    },
    checkPins() {
      return checkPins(cur());
    },
  };
  return session;
}
