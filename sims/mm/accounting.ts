/**
 * Accounting over mm states: the pin report an exercise grader uses (`checkPins`) and the
 * canonical key the explorer uses (`canonicalKey`).
 */
import type { BadRelease, DmaWrite, MmState } from './types.ts';

/** What `checkPins` found. Every list empty (and `ok` true) means the driver's books balance. */
export interface PinReport {
  /** True when nothing below is wrong. */
  ok: boolean;
  /** Pins the driver took and never released, by pfn. */
  leakedPins: { pfn: number; pins: number }[];
  /** Plain references (FOLL_GET) the driver took and never released, by pfn. */
  leakedRefs: { pfn: number; refs: number }[];
  /** Releases of pages the driver did not hold that way (double unpin, put_page on a pin, ...). */
  badReleases: BadRelease[];
  /** Frames the device wrote that are still in use but were never marked dirty (PG_dirty). */
  notDirty: number[];
  /** Device writes that did not land in the page the driver programmed (lost or misplaced data). */
  strayDma: DmaWrite[];
  /** Kernel warnings the driver's calls triggered (invalid flags, a missing mmap_read_lock). */
  warnings: string[];
  /** /proc/vmstat nr_foll_pin_acquired and nr_foll_pin_released. */
  pinAcquired: number;
  pinReleased: number;
  /** One sentence per problem, for a grader's message. */
  problems: string[];
}

/**
 * Checks the driver's pin accounting in `state`, as an exercise grader would at the end of
 * a run: no pin or reference leaked (`acct.held` empty), nothing released twice or with the
 * wrong call (`acct.badReleases`), every frame the device wrote and still in use marked
 * dirty (`unpin_user_pages_dirty_lock(..., true)` or `set_page_dirty_lock`), no DMA write
 * landed in the wrong frame, no kernel warning. Pure; never throws.
 */
export function checkPins(state: MmState): PinReport {
  const leakedPins: PinReport['leakedPins'] = [];
  const leakedRefs: PinReport['leakedRefs'] = [];
  for (const key of Object.keys(state.acct.held)) {
    const pfn = Number(key);
    const h = state.acct.held[pfn];
    if (h.pins > 0) leakedPins.push({ pfn, pins: h.pins });
    if (h.refs > 0) leakedRefs.push({ pfn, refs: h.refs });
  }
  const notDirty = state.frames.filter((f) => f.dmaWritten && !f.dirty && f.use !== 'free').map((f) => f.pfn);
  const strayDma = state.device.log.filter((w) => !w.intended);
  const problems: string[] = [];
  for (const l of leakedPins) problems.push(`pfn ${l.pfn} is still pinned by the driver (${l.pins} pin${l.pins === 1 ? '' : 's'} never released).`);
  for (const l of leakedRefs) problems.push(`pfn ${l.pfn} still has ${l.refs} reference${l.refs === 1 ? '' : 's'} from get_user_pages never released.`);
  for (const b of state.acct.badReleases) problems.push(`${b.call}: ${b.reason}.`);
  for (const p of notDirty) problems.push(`pfn ${p} was written by the device but never marked dirty, so its data may be dropped.`);
  for (const w of strayDma) problems.push(`The device wrote page ${w.index} into pfn ${w.pfn}, which no longer held the page the driver programmed.`);
  for (const w of state.acct.warnings) problems.push(`Kernel warning: ${w}.`);
  return {
    ok: problems.length === 0,
    leakedPins,
    leakedRefs,
    badReleases: state.acct.badReleases.map((b) => ({ ...b })),
    notDirty,
    strayDma: strayDma.map((w) => ({ ...w })),
    warnings: [...state.acct.warnings],
    pinAcquired: state.acct.pinAcquired,
    pinReleased: state.acct.pinReleased,
    problems,
  };
}

/**
 * A canonical key for the explorer: equal keys mean equal futures. Leaves out `stepIndex`,
 * `event`, `lastChoice`, `params` (fixed for a run) and the step numbers of bad releases.
 */
export function canonicalKey(state: MmState): string {
  return JSON.stringify([
    state.procs,
    state.frames,
    state.swap,
    state.driver,
    state.device,
    state.kernelEventsLeft,
    state.acct.pinAcquired,
    state.acct.pinReleased,
    state.acct.held,
    state.acct.badReleases.map((b) => [b.call, b.pfn, b.reason]),
    state.acct.warnings,
  ]);
}
