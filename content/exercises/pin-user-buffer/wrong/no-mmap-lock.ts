// Mistake: calls pin_user_pages without holding mmap_read_lock; the VMAs it walks can change under it (the kernel's mmap_assert_locked catches this with lockdep).
import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
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
