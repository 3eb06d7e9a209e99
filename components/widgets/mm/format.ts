/**
 * Words and derived facts for the memory model's views (`sims/mm`): what a frame holds,
 * which process pages map which frames, the address the translation view walks, the
 * driver's calls with their return values, where the device's DMA writes land, which
 * pages moved in the last step, and the parsing of an address the learner types.
 *
 * Pure functions with no DOM: the server render (`MmSim.astro`), the `<mm-sim>` element,
 * the d3 views and the unit tests (`tests/unit/mm-format.test.ts`) all use them.
 */
import { driverOpLabel, GUP_PIN_COUNTING_BIAS, hex, LEVEL_BITS, LEVELS, PAGE_SIZE, retText, splitVirtualAddress, walk } from '../../../sims/mm/index.ts';
import type { DmaOutcome, DriverOp, Frame, Level, MmChoice, MmParams, MmState, Vma, WalkResult } from '../../../sims/mm/index.ts';

/** `ZONE_NORMAL` / `ZONE_MOVABLE`. */
export function zoneName(zone: Frame['zone']): string {
  return zone === 'movable' ? 'ZONE_MOVABLE' : 'ZONE_NORMAL';
}

/** pincount as the views show it: floor(refcount / GUP_PIN_COUNTING_BIAS). */
export function pinCountOf(refcount: number): number {
  return Math.floor(refcount / GUP_PIN_COUNTING_BIAS);
}

/**
 * A frame's contents marker for a small box: `zero`, `P0`, `DMA1`, `data.bin#0`, or ``
 * for a frame never used. Free frames keep their stale marker (shown dimmed by the views).
 */
export function contentsMarker(f: Frame): string {
  if (f.use === 'zero') return 'zero';
  return f.data;
}

/** A frame's use and contents in words: `anonymous page, "P0"`, `free (stale "DMA1")`. */
export function contentsText(f: Frame): string {
  const d = f.data === 'zero' ? 'zeroes' : `"${f.data}"`;
  switch (f.use) {
    case 'free':
      return f.data === '' ? 'free' : `free (stale ${d})`;
    case 'zero':
      return 'the shared zero page';
    case 'anon':
      return `anonymous page, ${d}`;
    case 'file':
      return f.file ? `page cache of ${f.file.name}, page ${f.file.index}: ${d}` : `file page, ${d}`;
  }
}

/** `P0 0x7f0000001000, P1 0x7f0000001000`, or `none`. */
export function mappersText(f: Frame): string {
  if (f.mappings.length === 0) return 'none';
  return f.mappings.map((m) => `P${m.pid} ${hex(m.va)}`).join(', ');
}

/** `buf: 0x7f0000000000–0x7f0000004000 (4 pages), anonymous, rw`. */
export function vmaText(v: Vma): string {
  const pages = (v.end - v.start) / PAGE_SIZE;
  const kind = v.kind === 'anon' ? 'anonymous' : `${v.shared ? 'shared' : 'private'} file ${v.file ?? ''}`.trim();
  const prot = v.prot === 'none' ? 'PROT_NONE' : v.prot;
  return `${v.name}: ${hex(v.start)}–${hex(v.end)} (${pages} ${pages === 1 ? 'page' : 'pages'}), ${kind}, ${prot}`;
}

/** One line about the machine: frames, zones, swap and the kernel's background work. */
export function machineText(p: MmParams): string {
  const last = p.frames - 1;
  const normal = p.normalFrames === 1 ? 'pfn 0' : `pfn 0–${p.normalFrames - 1}`;
  const movable = p.normalFrames < p.frames ? `, ${p.normalFrames === last ? `pfn ${last}` : `pfn ${p.normalFrames}–${last}`} ZONE_MOVABLE` : '';
  const bg: string[] = [];
  const n = p.kernel.maxEvents;
  if (p.kernel.compaction && n > 0) bg.push('compaction');
  if (p.kernel.swap && n > 0) bg.push('reclaim (swap-out)');
  const work = bg.length ? ` · ${bg.join(' and ')} may run ${n === 1 ? 'once' : `${n} times`}` : '';
  const swap = p.swapSlots > 0 ? ` · ${p.swapSlots} swap slots` : ' · no swap';
  return `${p.frames} frames of 4 KiB: ${normal} ZONE_NORMAL (pfn 0 is the zero page)${movable}${swap}${work}`;
}

/** The narration of a state; the initial state gets a sentence of its own. */
export function narrationOf(state: MmState): string {
  if (state.event) return state.event.narration;
  const p0 = state.procs[0];
  const vmas = p0.vmas.map((v) => `${v.name} at ${hex(v.start)}`).join(' and ');
  const driver = state.params.driver.length ? ', and a driver is about to work on its buffer' : '';
  return `Start: process 0 has mapped ${vmas}, but no page is in memory yet: its page table is just an empty PGD${driver}.`;
}

// ---------------------------------------------------------------------------------------
// Process pages and frames.

/** One virtual page of a live process and what its PTE says. */
export interface PageRow {
  pid: number;
  /** The VMA's label (`buf`, `data.bin`). */
  vma: string;
  /** Page index inside the VMA. */
  page: number;
  /** Page-aligned virtual address. */
  va: number;
  /** `mapped` (present PTE), `swap` (swap entry), `none` (no PTE yet). */
  status: 'mapped' | 'swap' | 'none';
  pfn: number | null;
  swapSlot: number | null;
  writable: boolean;
  /** The page belongs to the user buffer the driver works on (process 0's first anonymous VMA). */
  buffer: boolean;
}

/** The user buffer: process 0's VMA named `buf`, else its first anonymous VMA, else null. */
export function bufferVma(state: MmState): Vma | null {
  const vmas = state.procs[0]?.vmas ?? [];
  return vmas.find((v) => v.name === 'buf') ?? vmas.find((v) => v.kind === 'anon') ?? null;
}

/** Every page of every VMA of every process that still has page tables, pid then address order. */
export function pageRows(state: MmState): PageRow[] {
  const rows: PageRow[] = [];
  const buf = bufferVma(state);
  for (const proc of state.procs) {
    if (proc.pgtables.length === 0) continue;
    for (const v of proc.vmas) {
      for (let va = v.start, i = 0; va < v.end; va += PAGE_SIZE, i++) {
        const w = walk(state, va, proc.pid);
        const o = w.outcome;
        rows.push({
          pid: proc.pid,
          vma: v.name,
          page: i,
          va,
          status: o.kind === 'mapped' ? 'mapped' : o.reason === 'swap' ? 'swap' : 'none',
          pfn: o.kind === 'mapped' ? o.pfn : null,
          swapSlot: o.kind === 'not-present' ? o.swapSlot : null,
          writable: o.kind === 'mapped' ? o.writable : false,
          buffer: proc.pid === 0 && buf !== null && va >= buf.start && va < buf.end,
        });
      }
    }
  }
  return rows;
}

/** What a page row's PTE says, in words: `pfn 6, writable`, `swap slot 0`, `no PTE`. */
export function pteText(r: PageRow): string {
  if (r.status === 'mapped') return `pfn ${r.pfn}, ${r.writable ? 'writable' : 'read-only'}`;
  if (r.status === 'swap') return `swap entry, slot ${r.swapSlot}`;
  return 'no PTE (pte_none)';
}

// ---------------------------------------------------------------------------------------
// The address the translation view walks.

/** A user address to walk, and in which process. */
export interface Access {
  pid: number;
  va: number;
  /** Where it came from: the step's own access, an earlier step, or the preset's first access. */
  from: 'this-step' | 'earlier' | 'preset' | 'buffer';
}

function accessOfChoice(c: MmChoice | null, state: MmState): { pid: number; va: number } | null {
  if (!c) return null;
  if (c.actor === 'process' && (c.op.kind === 'read' || c.op.kind === 'write')) return { pid: c.pid, va: c.op.va };
  if (c.actor === 'driver') {
    // The call the driver just made is params.driver[pc - 1].
    const op: DriverOp | undefined = state.params.driver[state.driver.pc - 1];
    if (op && 'start' in op) return { pid: 0, va: op.start };
  }
  return null;
}

function walkable(state: MmState, pid: number): boolean {
  return (state.procs[pid]?.pgtables.length ?? 0) > 0;
}

/**
 * The address the translation view walks at `index`: the access made by the step into
 * `states[index]` (a load, a store, or the start of a GUP call), else the latest earlier
 * one, else the first access of the whole timeline (the preset's), else the start of the
 * user buffer. A process that has exited is replaced by process 0.
 */
export function accessAt(states: readonly MmState[], index: number): Access {
  const s = states[index];
  for (let i = index; i >= 1; i--) {
    const a = accessOfChoice(states[i].lastChoice, states[i]);
    if (a) return { ...a, pid: walkable(s, a.pid) ? a.pid : 0, from: i === index ? 'this-step' : 'earlier' };
  }
  for (let i = 1; i < states.length; i++) {
    const a = accessOfChoice(states[i].lastChoice, states[i]);
    if (a) return { ...a, pid: walkable(s, a.pid) ? a.pid : 0, from: 'preset' };
  }
  const buf = bufferVma(s);
  return { pid: 0, va: buf ? buf.start : (s.procs[0].vmas[0]?.start ?? 0), from: 'buffer' };
}

/** One bit field of a virtual address: a level's 9 bits or the 12-bit offset. */
export interface AddressField {
  field: Level | 'offset';
  /** Highest and lowest bit (inclusive), e.g. 47 and 39. */
  hi: number;
  lo: number;
  /** The field's bits, most significant first, e.g. `011111110`. */
  bits: string;
  /** The field's value (the table index, or the offset). */
  value: number;
}

/** The 9/9/9/9/12 fields of a user address, PGD first (uses `splitVirtualAddress`; throws as it does). */
export function addressFields(va: number): AddressField[] {
  const parts = splitVirtualAddress(va);
  return ([...LEVELS, 'offset'] as const).map((field) => {
    const [hi, lo] = LEVEL_BITS[field];
    const value = parts[field];
    return { field, hi, lo, value, bits: value.toString(2).padStart(hi - lo + 1, '0') };
  });
}

/** The 48-bit address in hex, zero-padded to 12 digits: `0x7f0000001234`. */
export function hex48(va: number): string {
  return '0x' + va.toString(16).padStart(12, '0');
}

/** `PGD`, `PUD`, `PMD`, `PTE`, `offset`. */
export function fieldName(f: Level | 'offset'): string {
  return f === 'offset' ? 'offset' : f.toUpperCase();
}

/** What one walk step found, in words: `→ PUD table 1`, `→ pfn 6 (writable)`, `none: the walk stops`. */
export function walkEntryText(w: WalkResult, i: number): string {
  const st = w.steps[i];
  if (!st.entry) return 'none: the walk stops here (pte_none / p?d_none)';
  if (st.level === 'pte') {
    const o = w.outcome;
    if (o.kind === 'mapped') return `present: pfn ${o.pfn}${o.zeroPage ? ' (the zero page)' : ''}, ${o.writable ? 'writable' : 'read-only'}`;
    return `not present: swap entry, slot ${o.kind === 'not-present' ? o.swapSlot : '?'}`;
  }
  const next = LEVELS[LEVELS.indexOf(st.level) + 1];
  return `present: points to a ${fieldName(next)} table (#${(st.entry as { table: number }).table})`;
}

/** The walk's result in one sentence. */
export function walkOutcomeText(w: WalkResult, pid: number): string {
  const o = w.outcome;
  if (o.kind === 'mapped') {
    return `${hex(w.va)} in process ${pid} → pfn ${o.pfn} × 4096 + offset ${hex(w.parts.offset)} = physical address ${hex(o.physAddr)}.`;
  }
  if (o.reason === 'swap') return `${hex(w.va)} in process ${pid} is swapped out (slot ${o.swapSlot}): an access would fault it back in.`;
  return `${hex(w.va)} in process ${pid} has no ${fieldName(o.level)} entry yet: an access would fault (or SIGSEGV outside a VMA).`;
}

/** What `parseAddress` returns. */
export type ParsedAddress = { ok: true; va: number } | { ok: false; error: string };

/**
 * Parses an address the learner typed: hex with `0x` (underscores and spaces allowed, e.g.
 * `0x7f00_0000_1234`) or decimal. Refuses, with a sentence, anything that is not a number,
 * a non-canonical address (bits 63..48 not copies of bit 47), a kernel-half address, or an
 * address above the user range. Never throws.
 */
export function parseAddress(text: string): ParsedAddress {
  const t = text.trim().replace(/[_\s]/g, '').toLowerCase();
  if (t === '') return { ok: false, error: 'Type an address, for example 0x7f0000001234.' };
  // Messages quote at most MAX_QUOTE characters of what was typed (`quote`), so a pasted
  // page of digits gives a sentence that fits its card.
  let big: bigint;
  if (/^0x[0-9a-f]+$/.test(t)) big = BigInt(t);
  else if (/^[0-9]+$/.test(t)) big = BigInt(t);
  else return { ok: false, error: `${quote(text.trim())} is not an address: use hex with 0x (0x7f0000001234) or decimal digits.` };
  if (big >= 1n << 64n) {
    const digits = t.startsWith('0x') ? `${t.length - 2} hex digits` : `${t.length} digits`;
    return { ok: false, error: `${quote(text.trim())} (${digits}) does not fit in 64 bits.` };
  }
  if (big >= 1n << 47n) {
    if (big >= (1n << 64n) - (1n << 47n)) {
      return { ok: false, error: `0x${big.toString(16)} is a kernel address (the upper canonical half): a process's page table has no user entries there.` };
    }
    return { ok: false, error: `0x${big.toString(16)} is not canonical: bits 63..48 must all copy bit 47, so user addresses end at 0x7fffffffffff.` };
  }
  return { ok: true, va: Number(big) };
}

/** Longest piece of typed text a message quotes, in characters. */
const MAX_QUOTE = 24;

/** `“text”`, or its first `MAX_QUOTE` characters and an ellipsis when longer. */
function quote(text: string): string {
  return text.length <= MAX_QUOTE ? `“${text}”` : `“${text.slice(0, MAX_QUOTE)}…”`;
}

/** What `walkTyped` returns: the walk, or a message. */
export type TypedWalk = { ok: true; va: number; pid: number; walk: WalkResult; note: string } | { ok: false; error: string };

/**
 * Walks an address the learner typed in process `pid` of `state`: parses it, checks that
 * the process still has page tables and that the address lies in one of its VMAs (else the
 * walk still runs, and the note says an access would be SIGSEGV). Never throws.
 */
export function walkTyped(state: MmState, text: string, pid = 0): TypedWalk {
  const p = parseAddress(text);
  if (!p.ok) return p;
  const proc = state.procs[pid];
  if (!proc || proc.pgtables.length === 0) return { ok: false, error: `Process ${pid} has exited: it has no page tables to walk.` };
  let w: WalkResult;
  try {
    w = walk(state, p.va, pid);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  const vma = proc.vmas.find((v) => p.va >= v.start && p.va < v.end);
  const note = vma
    ? `${hex(p.va)} is in process ${pid}'s ${vma.name} mapping.`
    : `${hex(p.va)} is in none of process ${pid}'s mappings: the walk finds no entry, and an access would be a SIGSEGV.`;
  return { ok: true, va: p.va, pid, walk: w, note };
}

// ---------------------------------------------------------------------------------------
// The driver's calls.

/** One call of the driver's script, made or still to come. */
export interface DriverCall {
  /** Position in the script. */
  n: number;
  label: string;
  /** The step that made the call, or null when it is still to come. */
  step: number | null;
  /** `2`, `-EFAULT`, or null for calls with no return value / not yet made. */
  ret: string | null;
  /** How the return value reads: all pages, fewer than asked, an error. */
  retKind: 'full' | 'partial' | 'error' | null;
}

const RETURNS_COUNT = new Set(['pin_user_pages', 'pin_user_pages_fast', 'get_user_pages', 'lookup_pfns']);

/**
 * The driver's script with what each call returned so far: calls made in the steps up to
 * `index` carry their step number and, for pin/get/lookup calls, the return value; later
 * calls are listed as still to come.
 */
export function driverCalls(states: readonly MmState[], index: number): DriverCall[] {
  const script = states[0].params.driver;
  const made = new Map<number, { step: number; ret: number | null }>();
  for (let i = 1; i <= index && i < states.length; i++) {
    if (states[i].lastChoice?.actor !== 'driver') continue;
    const n = states[i - 1].driver.pc;
    made.set(n, { step: i, ret: states[i].driver.ret });
  }
  return script.map((op, n) => {
    const m = made.get(n);
    let ret: string | null = null;
    let retKind: DriverCall['retKind'] = null;
    if (m && RETURNS_COUNT.has(op.kind) && m.ret !== null && 'nrPages' in op) {
      ret = retText(m.ret);
      retKind = m.ret < 0 ? 'error' : m.ret < op.nrPages ? 'partial' : 'full';
    }
    return { n, label: driverOpLabel(op), step: m ? m.step : null, ret, retKind };
  });
}

/** `returned 2 of 4`, `returned -EFAULT`, `returned 3`. */
export function retSentence(c: DriverCall, op: DriverOp): string {
  if (c.ret === null) return '';
  if (c.retKind === 'partial' && 'nrPages' in op) return `returned ${c.ret} of ${op.nrPages}`;
  return `returned ${c.ret}`;
}

// ---------------------------------------------------------------------------------------
// DMA and moves.

/** A page of the device's transfer, for the memory view. */
export interface DmaTarget {
  /** Page index within the transfer. */
  index: number;
  pfn: number;
  /** `pending` (not yet written), or where the write landed. */
  status: 'pending' | DmaOutcome;
  /** The data written (`DMA1`), or null while pending. */
  data: string | null;
}

/**
 * The device's targets: the pages still to be written by the transfer in flight, and every
 * write it made (the log), with where each landed (`freed` = a lost write).
 */
export function dmaTargets(state: MmState): DmaTarget[] {
  const out: DmaTarget[] = state.device.log.map((w) => ({ index: w.index, pfn: w.pfn, status: w.outcome, data: w.data }));
  const t = state.device.transfer;
  if (t) for (let k = t.done; k < t.pfns.length; k++) out.push({ index: k, pfn: t.pfns[k], status: 'pending', data: null });
  return out;
}

/** Words for a DMA outcome: `lost write`, `landed`, … */
export function dmaOutcomeText(o: DmaTarget['status']): string {
  switch (o) {
    case 'pending':
      return 'DMA target, not yet written';
    case 'ok':
      return 'DMA write landed in the buffer';
    case 'orphan':
      return 'DMA write landed in a page only the pin keeps';
    case 'elsewhere':
      return 'misplaced write: the process no longer maps this frame';
    case 'freed':
      return 'lost write: the device wrote into a freed frame';
    case 'zero-page':
      return 'DMA write into the shared zero page';
  }
}

/** A page of a process whose frame changed in one step. */
export interface PageMove {
  pid: number;
  va: number;
  from: number;
  to: number;
  /** `migrated` (compaction or a long-term pin), `copied` (copy-on-write). */
  reason: 'migrated' | 'copied';
}

/** The process pages that a step moved to another frame (migration, COW), from `prev` to `cur`. */
export function pageMoves(prev: MmState | null, cur: MmState): PageMove[] {
  if (!prev) return [];
  const before = new Map<string, number>();
  for (const r of pageRows(prev)) if (r.pfn !== null) before.set(`${r.pid}:${r.va}`, r.pfn);
  const moves: PageMove[] = [];
  for (const r of pageRows(cur)) {
    if (r.pfn === null) continue;
    const from = before.get(`${r.pid}:${r.va}`);
    if (from === undefined || from === r.pfn || from === cur.zeroPfn) continue;
    // Migration frees the old frame; copy-on-write leaves it to its other users.
    moves.push({ pid: r.pid, va: r.va, from, to: r.pfn, reason: cur.frames[from].use === 'free' ? 'migrated' : 'copied' });
  }
  return moves;
}
