import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

/**
 * Pins the `npages` pages of the user buffer that starts at `start`, for a device to write
 * into. Returns { pages } (their pfns) when every page is pinned. Otherwise releases exactly
 * what was pinned and returns { error } with a negative errno (see the statement).
 */
export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  // mm.mmap_read_lock(), mm.pin_user_pages(start, npages, flags, pages), ...
  throw new Error('not implemented');
}

/** After the device has written the first `n` pages of `pages`: release them. */
export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  throw new Error('not implemented');
}
