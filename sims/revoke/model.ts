/**
 * Revoking a user mapping of device memory while the process is still writing to it.
 *
 * A process has mmap()ed `pages` pages of a device's memory with MAP_SHARED (vmf_insert_pfn()
 * refuses a private, copy-on-write mapping with a BUG_ON). The driver's mmap() used
 * remap_pfn_range(), so the vma is VM_IO | VM_PFNMAP and every PTE is present from the start
 * (mm/memory.c remap_pfn_range_internal() sets VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP).
 * The process writes to page i; the driver may revoke the region at any time; `policy` is what
 * the vma's fault handler does afterwards.
 *
 * Kernel behaviour modelled (Linux 6.12, read in the 6.12.118 source):
 * - A write through a present PTE goes straight to the device: no kernel code runs.
 * - Revoke: mm/memory.c unmap_mapping_range() removes the PTEs of a range of the device file in
 *   every process that mapped it; zap_vma_ptes() does it for one range of one VM_PFNMAP vma
 *   (it returns without doing anything for any other vma). Both end in zap_page_range_single(),
 *   which flushes the TLB. The vma stays.
 * - The next access to a page with no PTE faults; the vma is not anonymous (it has vm_ops), so
 *   mm/memory.c do_fault() -> do_shared_fault() -> __do_fault() calls vma->vm_ops->fault().
 *   (With no fault handler at all, do_fault() finds the PTE empty and returns VM_FAULT_SIGBUS.)
 * - `policy: 'sigbus'`: the handler returns VM_FAULT_SIGBUS (include/linux/mm_types.h,
 *   enum vm_fault_reason); arch/x86/mm/fault.c do_sigbus() sends SIGBUS with si_code
 *   BUS_ADRERR. The store never happens. Without a handler the signal's default action kills
 *   the process; with one (`sigbusHandler`) that siglongjmp()s past the store, the process
 *   goes on and the PTE stays empty, so every later write there faults again.
 * - `policy: 'scratch'`: the handler maps one driver-owned scratch page with
 *   mm/memory.c vmf_insert_pfn() (which returns VM_FAULT_NOPAGE); the faulting store is
 *   restarted and lands in the scratch page. Later writes to that page find the PTE and
 *   land there without a fault. Every revoked page maps the same scratch page, so late writes
 *   overwrite each other there.
 *
 * Departures: page frame numbers are made up; a write stores one number (the write's serial
 * number) per page instead of bytes; one process, one vma.
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';

/** What the fault handler does after a revoke. */
export type Policy = 'sigbus' | 'scratch';

/** Parameters. `pages`: the vma's size in pages, an integer in 1..8. */
export interface RevokeParams {
  pages: number;
  policy: Policy;
  /** Whether the process installed a SIGBUS handler that jumps past the failed store. Default false. */
  sigbusHandler?: boolean;
}

/** A present PTE: to device page `pfn`, or to the scratch page. */
export type Pte = { to: 'device'; pfn: number } | { to: 'scratch'; pfn: number };

/** One step: the process writes to a page, or the driver revokes the region. */
export type RevokeChoice = { act: 'write'; page: number } | { act: 'revoke' };

/** Where a write went. */
export type Outcome = 'device' | 'scratch' | 'fault-scratch' | 'fault-sigbus' | 'revoked';

/** What the last step did. */
export interface RevokeEvent extends StepEvent {
  choice: RevokeChoice;
  outcome: Outcome;
  /** The write's serial number (1, 2, ...), or null for a revoke. */
  value: number | null;
}

/** An immutable snapshot. */
export interface RevokeState {
  pages: number;
  policy: Policy;
  sigbusHandler: boolean;
  /** One per page of the vma: the PTE, or null when there is none. */
  ptes: (Pte | null)[];
  /** What each device page holds: the serial number of the last write that reached it, or null. */
  device: (number | null)[];
  /** The scratch page: the last write that landed there and from which page, or null. */
  scratch: { value: number; page: number } | null;
  revoked: boolean;
  /** 'killed' once a SIGBUS with no handler ended the process. */
  process: 'running' | 'killed';
  /** Counters since the start. */
  writes: number;
  toDevice: number;
  toScratch: number;
  /** Writes that never happened (SIGBUS). */
  lost: number;
  faults: number;
  sigbus: number;
  event: RevokeEvent | null;
}

/** The first device page frame (made up) and the scratch page's frame (made up). */
export const DEVICE_PFN = 0xfd000;
export const SCRATCH_PFN = 0x1a2b3;

const src = (file: string, fn: string): KernelSource => ({ file, fn, version: '6.12' });

/** A pfn as the kernel prints it, e.g. 0xfd002. */
export const pfnText = (pfn: number): string => `0x${pfn.toString(16)}`;

/**
 * The mapping just after mmap(): every PTE present, to device pages DEVICE_PFN + i.
 * @throws RangeError when `pages` is not an integer in 1..8 or `policy` is unknown.
 */
export function initialState(params: RevokeParams): RevokeState {
  const { pages, policy } = params;
  if (!Number.isInteger(pages) || pages < 1 || pages > 8) throw new RangeError(`revoke model: pages must be an integer in 1..8, got ${pages}`);
  if (policy !== 'sigbus' && policy !== 'scratch') throw new RangeError(`revoke model: policy must be 'sigbus' or 'scratch', got ${JSON.stringify(policy)}`);
  return {
    pages, policy, sigbusHandler: params.sigbusHandler === true,
    ptes: Array.from({ length: pages }, (_, i): Pte => ({ to: 'device', pfn: DEVICE_PFN + i })),
    device: new Array(pages).fill(null),
    scratch: null, revoked: false, process: 'running',
    writes: 0, toDevice: 0, toScratch: 0, lost: 0, faults: 0, sigbus: 0, event: null,
  };
}

/** The steps possible now: a write to each page while the process runs, and the revoke until it has happened. */
export function enabled(s: RevokeState): RevokeChoice[] {
  const out: RevokeChoice[] = [];
  if (s.process === 'running') for (let page = 0; page < s.pages; page++) out.push({ act: 'write', page });
  if (!s.revoked && s.process === 'running') out.push({ act: 'revoke' });
  return out;
}

/** The choice as a short label, e.g. `write to page 2`. */
export function describeChoice(c: RevokeChoice): string {
  return c.act === 'revoke' ? 'the driver revokes the mapping' : `write to page ${c.page}`;
}

/**
 * Applies one step. Pure.
 * @throws Error when `choice` is not enabled (a write after the process was killed, a second revoke, a page outside the vma).
 */
export function step(s: RevokeState, choice: RevokeChoice): RevokeState {
  if (!enabled(s).some((c) => sameChoice(c, choice))) throw new Error(`revoke model: ${JSON.stringify(choice)} is not possible now`);
  const ev = (outcome: Outcome, narration: string, source: KernelSource | null, value: number | null, actor: string): RevokeEvent => ({ choice, outcome, value, narration, source, actor });
  if (choice.act === 'revoke') {
    return {
      ...s, revoked: true, ptes: s.ptes.map(() => null),
      event: ev('revoked', `The driver revokes the region: unmap_mapping_range() clears all ${s.pages} PTEs in every process that mapped it and flushes the TLB (zap_vma_ptes() would do the same for this one VM_PFNMAP vma). The vma itself stays.`, src('mm/memory.c', 'unmap_mapping_range'), null, 'driver'),
    };
  }
  const page = choice.page;
  const value = s.writes + 1;
  const w = `write #${value} to page ${page}`;
  const pte = s.ptes[page];
  const base = { ...s, writes: value };
  if (pte && pte.to === 'device') {
    const device = s.device.slice();
    device[page] = value;
    return { ...base, device, toDevice: s.toDevice + 1, event: ev('device', `The ${w} goes through the PTE straight to device page ${pfnText(pte.pfn)}: no fault, no kernel code.`, null, value, 'process') };
  }
  const overwrote = s.scratch && s.scratch.page !== page ? ` It overwrites write #${s.scratch.value}, which came from page ${s.scratch.page}.` : '';
  if (pte && pte.to === 'scratch') {
    return { ...base, scratch: { value, page }, toScratch: s.toScratch + 1, event: ev('scratch', `The ${w} finds the PTE to the scratch page and lands there without a fault; the device never sees it.${overwrote}`, null, value, 'process') };
  }
  // No PTE: the write faults into the vma's fault handler.
  if (s.policy === 'scratch') {
    const ptes = s.ptes.slice();
    ptes[page] = { to: 'scratch', pfn: SCRATCH_PFN };
    return {
      ...base, ptes, scratch: { value, page }, toScratch: s.toScratch + 1, faults: s.faults + 1,
      event: ev('fault-scratch', `The ${w} faults: page ${page} has no PTE. The fault handler maps the scratch page there with vmf_insert_pfn() and returns VM_FAULT_NOPAGE; the store is restarted and lands in the scratch page.${overwrote}`, src('mm/memory.c', 'vmf_insert_pfn'), value, 'process'),
    };
  }
  const killed = !s.sigbusHandler;
  return {
    ...base, lost: s.lost + 1, faults: s.faults + 1, sigbus: s.sigbus + 1, process: killed ? 'killed' : 'running',
    event: ev('fault-sigbus', `The ${w} faults: page ${page} has no PTE. The fault handler returns VM_FAULT_SIGBUS and the kernel sends SIGBUS (BUS_ADRERR); the store never happens. ${killed ? 'The process has no SIGBUS handler, so it is killed.' : 'Its SIGBUS handler jumps past the store; the PTE is still empty, so the next write there faults again.'}`, src('arch/x86/mm/fault.c', 'do_sigbus'), value, 'process'),
  };
}

/** True when two choices are the same step. */
export function sameChoice(a: RevokeChoice, b: RevokeChoice): boolean {
  return a.act === b.act && (a.act === 'revoke' || a.page === (b as { page: number }).page);
}

/** Runs `choices` from a fresh mapping and returns every state, the initial one first. */
export function run(params: RevokeParams, choices: RevokeChoice[]): RevokeState[] {
  const states = [initialState(params)];
  for (const c of choices) states.push(step(states[states.length - 1], c));
  return states;
}

/** The revoke model on the shared Model interface (the seed is unused: nothing is random). */
export const revokeModel: Model<RevokeParams, RevokeState, RevokeChoice> = {
  id: 'revoke',
  initialState: (p) => initialState(p),
  enabled,
  step,
  event: (s) => s.event,
  describeChoice: (_s, c) => describeChoice(c),
  sameChoice,
};
