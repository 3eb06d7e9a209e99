// Mistake: releases pinned pages the old get_user_pages way, set_page_dirty_lock and put_page, which drops 1 where a pin added GUP_PIN_COUNTING_BIAS (1024): the pins are never balanced.
import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  mm.mmap_read_lock();
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
  mm.mmap_read_unlock();
  if (ret < 0) return { error: ret };
  if (ret < npages) {
    for (let i = 0; i < ret; i++) mm.put_page(pages[i]);
    return { error: -EFAULT };
  }
  return { pages };
}

export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  for (let i = 0; i < n; i++) {
    mm.set_page_dirty_lock(pages[i]);
    mm.put_page(pages[i]);
  }
}
