// Mistake: releases the pages after the DMA with unpin_user_pages, which does not mark them dirty, so reclaim or writeback may throw away what the device wrote.
import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  mm.mmap_read_lock();
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
  mm.mmap_read_unlock();
  if (ret < 0) return { error: ret };
  if (ret < npages) {
    if (ret > 0) mm.unpin_user_pages(pages, ret);
    return { error: -EFAULT };
  }
  return { pages };
}

export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  mm.unpin_user_pages(pages, n);
}
