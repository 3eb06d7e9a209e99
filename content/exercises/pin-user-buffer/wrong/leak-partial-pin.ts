// Mistake: returns -EFAULT after a partial pin without releasing the pages that were pinned, so they stay pinned for ever (the recipe in the original question ignored the count get_user_pages returned).
import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  mm.mmap_read_lock();
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
  mm.mmap_read_unlock();
  if (ret < 0) return { error: ret };
  if (ret < npages) return { error: -EFAULT };
  return { pages };
}

export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  mm.unpin_user_pages_dirty_lock(pages, n, true);
}
