// Mistake: pins a buffer the driver keeps for an unbounded time without FOLL_LONGTERM, so the pinned pages stay in ZONE_MOVABLE, where they block compaction and memory hot-unplug.
import { EFAULT, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  mm.mmap_read_lock();
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE, pages);
  mm.mmap_read_unlock();
  if (ret < 0) return { error: ret };
  if (ret < npages) {
    if (ret > 0) mm.unpin_user_pages(pages, ret);
    return { error: -EFAULT };
  }
  return { pages };
}

export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  mm.unpin_user_pages_dirty_lock(pages, n, true);
}
