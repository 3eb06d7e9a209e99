/**
 * x86-64 virtual addresses and the 4-level page-table walk, as pure helpers.
 *
 * A 48-bit virtual address (4-level paging, `CONFIG_X86_5LEVEL` off or `no5lvl`) splits
 * into four 9-bit table indices and a 12-bit offset:
 *
 *     47      39 38      30 29      21 20      12 11         0
 *     [  PGD    ][  PUD    ][  PMD    ][  PTE    ][  offset   ]
 *
 * and is canonical when bits 63..48 copy bit 47 (user addresses: 0 .. 2^47-1; kernel
 * addresses: 0xffff800000000000 and up). Modelled on `arch/x86/include/asm/page_types.h`
 * (PAGE_SHIFT, PAGE_SIZE, PAGE_MASK) and `include/linux/mm.h` (`offset_in_page`), 6.12.
 *
 * Addresses are plain numbers (exact below 2^53, which covers every user address). Nothing
 * here uses JavaScript's 32-bit bitwise operators on addresses: `&`, `>>` and `~` would cut
 * them to 32 bits. Division, `Math.floor` and `%` are exact for these integers.
 * `splitVirtualAddress` also accepts a bigint, for kernel-half addresses above 2^53.
 */
import { hex } from '../core/text.ts';
import type { Level, MmState, PageTable, Pte, UpperEntry } from './types.ts';

/** log2(PAGE_SIZE) on x86-64 (`PAGE_SHIFT`). */
export const PAGE_SHIFT = 12;
/** Bytes in a page (`PAGE_SIZE`). */
export const PAGE_SIZE = 4096;
/**
 * `PAGE_MASK` = `~(PAGE_SIZE - 1)` as a 64-bit value (0xfffffffffffff000), a bigint because
 * a JS number cannot be used with bitwise operators beyond 32 bits. `addr & PAGE_MASK` is
 * the page base (`pageBase`); the offset in the page is `addr & ~PAGE_MASK`
 * (`offsetInPage`), never `addr & PAGE_MASK`.
 */
export const PAGE_MASK = 0xfffffffffffff000n;
/** Entries per page-table page on x86-64 (PTRS_PER_PGD/PUD/PMD/PTE). */
export const PTRS_PER_TABLE = 512;
/** First address of the non-canonical hole: 2^47. User addresses are below it. */
export const USER_ADDRESS_LIMIT = 2 ** 47;
/** `TASK_SIZE_MAX` on x86-64 with 4-level paging: 2^47 - PAGE_SIZE (the last user page is a guard). */
export const TASK_SIZE_MAX = 2 ** 47 - PAGE_SIZE;

/** The shift of each level's index (PGDIR_SHIFT 39, PUD_SHIFT 30, PMD_SHIFT 21, PAGE_SHIFT 12). */
export const LEVEL_SHIFT: Readonly<Record<Level, number>> = { pgd: 39, pud: 30, pmd: 21, pte: 12 };

/** The address bits (high, low; inclusive) that select each level's entry, and the offset. */
export const LEVEL_BITS: Readonly<Record<Level | 'offset', readonly [number, number]>> = {
  pgd: [47, 39],
  pud: [38, 30],
  pmd: [29, 21],
  pte: [20, 12],
  offset: [11, 0],
};

/** The levels in walk order. */
export const LEVELS: readonly Level[] = ['pgd', 'pud', 'pmd', 'pte'];

/** A virtual address split into its table indices (0..511 each) and page offset (0..4095). */
export interface VaParts {
  pgd: number;
  pud: number;
  pmd: number;
  pte: number;
  offset: number;
  /** Which canonical half: user (bit 47 clear) or kernel (bits 63..47 set). */
  half: 'user' | 'kernel';
}

const TWO_64 = 1n << 64n;
const KERNEL_HALF_START = TWO_64 - (1n << 47n);

/**
 * Splits a 48-bit canonical x86-64 virtual address into its PGD, PUD, PMD and PTE indices
 * (bits 47-39, 38-30, 29-21, 20-12) and its offset in the page (bits 11-0).
 *
 * `va` is a number (a non-negative safe integer, so a user address below 2^47) or a bigint
 * (0 .. 2^64-1, so kernel-half addresses too). Example: 0x7f001234 -> pgd 0, pud 1,
 * pmd 504, pte 1, offset 0x234.
 *
 * Throws `RangeError` for a negative, fractional or unsafe number, a bigint outside 64
 * bits, or a non-canonical address (bits 63..48 not all equal to bit 47).
 * Models the index macros `pgd_index`, `pud_index`, `pmd_index`, `pte_index`
 * (arch/x86/include/asm/pgtable_64_types.h, include/linux/pgtable.h, 6.12).
 */
export function splitVirtualAddress(va: number | bigint): VaParts {
  if (typeof va === 'bigint') {
    if (va < 0n || va >= TWO_64) throw new RangeError(`splitVirtualAddress: ${va} is not a 64-bit address`);
    let half: 'user' | 'kernel';
    if (va < BigInt(USER_ADDRESS_LIMIT)) half = 'user';
    else if (va >= KERNEL_HALF_START) half = 'kernel';
    else throw new RangeError(`splitVirtualAddress: 0x${va.toString(16)} is not canonical (bits 63..48 must copy bit 47)`);
    const low = Number(va % (1n << 48n)); // bits 47..0: exact in a double
    return { ...splitLow48(low), half };
  }
  if (typeof va !== 'number' || !Number.isInteger(va) || va < 0) {
    throw new RangeError(`splitVirtualAddress: expected a non-negative integer address, got ${String(va)}`);
  }
  if (!Number.isSafeInteger(va)) {
    throw new RangeError(`splitVirtualAddress: ${va} is beyond 2^53 and not exact as a number; pass a bigint`);
  }
  if (va >= USER_ADDRESS_LIMIT) {
    throw new RangeError(`splitVirtualAddress: 0x${va.toString(16)} is not canonical (bits 63..48 must copy bit 47)`);
  }
  return { ...splitLow48(va), half: 'user' };
}

function splitLow48(v: number): Omit<VaParts, 'half'> {
  return {
    pgd: Math.floor(v / 2 ** 39) % PTRS_PER_TABLE,
    pud: Math.floor(v / 2 ** 30) % PTRS_PER_TABLE,
    pmd: Math.floor(v / 2 ** 21) % PTRS_PER_TABLE,
    pte: Math.floor(v / 2 ** 12) % PTRS_PER_TABLE,
    offset: v % PAGE_SIZE,
  };
}

/** Rebuilds a user address from its indices and offset (the inverse of `splitVirtualAddress` for the user half). */
export function joinVirtualAddress(parts: Omit<VaParts, 'half'>): number {
  for (const k of ['pgd', 'pud', 'pmd', 'pte'] as const) {
    const v = parts[k];
    if (!Number.isInteger(v) || v < 0 || v >= PTRS_PER_TABLE) throw new RangeError(`joinVirtualAddress: ${k} must be 0..511, got ${v}`);
  }
  if (!Number.isInteger(parts.offset) || parts.offset < 0 || parts.offset >= PAGE_SIZE) {
    throw new RangeError(`joinVirtualAddress: offset must be 0..4095, got ${parts.offset}`);
  }
  if (parts.pgd >= 256) throw new RangeError('joinVirtualAddress: pgd index >= 256 is the kernel half; not a user address');
  return parts.pgd * 2 ** 39 + parts.pud * 2 ** 30 + parts.pmd * 2 ** 21 + parts.pte * 2 ** 12 + parts.offset;
}

function checkAddr(fn: string, addr: number): void {
  if (typeof addr !== 'number' || !Number.isSafeInteger(addr) || addr < 0) {
    throw new RangeError(`${fn}: expected a non-negative safe integer address, got ${String(addr)}`);
  }
}

/**
 * The offset of `addr` in its page, in bytes (0..4095): `offset_in_page(addr)` =
 * `addr & ~PAGE_MASK` (include/linux/mm.h, 6.12). For 0x7f001234 it is 0x234.
 * Throws `RangeError` unless `addr` is a non-negative safe integer.
 */
export function offsetInPage(addr: number): number {
  checkAddr('offsetInPage', addr);
  return addr % PAGE_SIZE;
}

/**
 * The base of the page holding `addr`: `addr & PAGE_MASK` (arch/x86/include/asm/page_types.h,
 * 6.12). For 0x7f001234 it is 0x7f001000. Throws `RangeError` as `offsetInPage`.
 */
export function pageBase(addr: number): number {
  checkAddr('pageBase', addr);
  return addr - (addr % PAGE_SIZE);
}

/** Virtual page number of `addr`: `addr >> PAGE_SHIFT`. Throws `RangeError` as `offsetInPage`. */
export function virtualPageNumber(addr: number): number {
  checkAddr('virtualPageNumber', addr);
  return Math.floor(addr / PAGE_SIZE);
}

/** The pages a user buffer `[addr, addr + len)` touches. */
export interface PageSpan {
  /** Page base of the first byte (`addr & PAGE_MASK`). */
  first: number;
  /** Page base of the last byte (`(addr + len - 1) & PAGE_MASK`), or null when `npages` is 0. */
  last: number | null;
  /** Offset of `addr` in its page (`offset_in_page(addr)`): what the first scatterlist entry starts at. */
  offset: number;
  /** Pages touched: DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE). */
  npages: number;
}

/**
 * The pages that the user buffer `[addr, addr + len)` (bytes) spans: first and last page
 * bases, the offset into the first page, and `npages = DIV_ROUND_UP(offset_in_page(addr) +
 * len, PAGE_SIZE)`, the count a driver passes to `pin_user_pages`. A buffer of 0x2000 bytes
 * at 0x7f001234 spans 3 pages (0x7f001000 .. 0x7f003000). `len` 0 gives 0 pages when `addr`
 * is page aligned (the formula's 1 otherwise is kept: it is what the kernel idiom computes).
 * Throws `RangeError` for a bad `addr` or a negative or fractional `len`.
 */
export function pageSpan(addr: number, len: number): PageSpan {
  checkAddr('pageSpan', addr);
  if (typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0) {
    throw new RangeError(`pageSpan: len must be a non-negative integer number of bytes, got ${String(len)}`);
  }
  const offset = addr % PAGE_SIZE;
  const first = addr - offset;
  const npages = Math.ceil((offset + len) / PAGE_SIZE);
  return { first, last: npages > 0 ? first + (npages - 1) * PAGE_SIZE : null, offset, npages };
}

// ---------------------------------------------------------------------------------------
// The walk.

/** One level of a walk: the table consulted, the index the address selects, the entry found. */
export interface WalkStep {
  level: Level;
  /** Index of the table in `Proc.pgtables` (0 is the PGD). */
  table: number;
  /** The entry index (0..511) selected by this level's 9 bits. */
  index: number;
  /** Which address bits selected it (high, low; inclusive), for highlighting. */
  bits: readonly [number, number];
  /** The entry, or null when there is none (`p?d_none`). A PTE may be a non-present swap entry. */
  entry: UpperEntry | Pte | null;
}

/** How a walk ended. */
export type WalkOutcome =
  /** A present PTE: the physical address is `pfn * PAGE_SIZE + offset`. */
  | { kind: 'mapped'; pfn: number; physAddr: number; writable: boolean; zeroPage: boolean }
  /** The walk stopped at `level`: no entry there (`none`) or a swap entry (`swap`, PTE level only). */
  | { kind: 'not-present'; level: Level; reason: 'none' | 'swap'; swapSlot: number | null };

/** A complete walk of one address through one process's page tables. */
export interface WalkResult {
  va: number;
  parts: VaParts;
  /** The levels visited, top first (1 to 4 steps). */
  steps: WalkStep[];
  outcome: WalkOutcome;
}

/**
 * Walks process `pid`'s four-level page table for the user address `va`, as the MMU does
 * (and as `follow_page_mask` -> `follow_p4d_mask` .. `follow_page_pte` do in software,
 * mm/gup.c, 6.12; P4D is folded into the PGD with 4-level paging). Returns one step per
 * level visited, with the entry each index selects, and either the frame mapped (with the
 * physical address of `va`) or the level where the walk stopped.
 *
 * Throws `RangeError` for a non-canonical or kernel address, for an unknown `pid`, or for a
 * process whose page tables are gone (it exited).
 */
export function walk(state: MmState, va: number, pid = 0): WalkResult {
  const parts = splitVirtualAddress(va);
  const proc = state.procs[pid];
  if (!proc) throw new RangeError(`walk: no process ${pid}`);
  if (proc.pgtables.length === 0) throw new RangeError(`walk: process ${pid} has no page tables (it exited)`);
  const steps: WalkStep[] = [];
  let t = 0;
  for (const level of LEVELS) {
    const table: PageTable = proc.pgtables[t];
    const index = parts[level];
    const entry = (table.entries as Record<number, UpperEntry | Pte>)[index] ?? null;
    steps.push({ level, table: t, index, bits: LEVEL_BITS[level], entry });
    if (entry === null) return { va, parts, steps, outcome: { kind: 'not-present', level, reason: 'none', swapSlot: null } };
    if (level === 'pte') {
      const pte = entry as Pte;
      if (!pte.present || pte.pfn === null) {
        return { va, parts, steps, outcome: { kind: 'not-present', level, reason: 'swap', swapSlot: pte.swap } };
      }
      return {
        va,
        parts,
        steps,
        outcome: {
          kind: 'mapped',
          pfn: pte.pfn,
          physAddr: pte.pfn * PAGE_SIZE + parts.offset,
          writable: pte.writable,
          zeroPage: pte.pfn === state.zeroPfn,
        },
      };
    }
    t = (entry as UpperEntry).table;
  }
  /* c8 ignore next */
  throw new Error('walk: unreachable');
}

export { hex };

/** `PGD[0] → PUD[508] → PMD[0] → PTE[1]`: the indices of a user address, for narration. */
export function indexPath(va: number): string {
  const p = splitVirtualAddress(va);
  return `PGD[${p.pgd}] → PUD[${p.pud}] → PMD[${p.pmd}] → PTE[${p.pte}]`;
}
