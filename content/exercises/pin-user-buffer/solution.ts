/**
 * Pin a user buffer for a device to write into, and release it after the DMA.
 *
 * The C a driver would write on Linux 6.12 (error handling as in the statement):
 *
 *   mmap_read_lock(current->mm);
 *   ret = pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
 *   mmap_read_unlock(current->mm);
 *   if (ret < 0)
 *           return ret;                      // nothing pinned
 *   if (ret < npages) {
 *           unpin_user_pages(pages, ret);    // exactly the ones pinned
 *           return -EFAULT;
 *   }
 *   ...                                      // the device writes the pages
 *   unpin_user_pages_dirty_lock(pages, npages, true);
 */
import { EFAULT, FOLL_LONGTERM, FOLL_WRITE } from '@sims/mm';
import type { KernelApi } from '@sims/mm';

export function pinUserBuffer(mm: KernelApi, start: number, npages: number): { pages: number[] } | { error: number } {
  const pages: number[] = [];
  mm.mmap_read_lock();
  const ret = mm.pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);
  mm.mmap_read_unlock();
  if (ret < 0) return { error: ret }; // nothing was pinned: pass the errno on
  if (ret < npages) {
    if (ret > 0) mm.unpin_user_pages(pages, ret); // a partial pin: release exactly what was pinned
    return { error: -EFAULT };
  }
  return { pages };
}

export function finishDma(mm: KernelApi, pages: number[], n: number): void {
  // The device wrote the pages: mark them dirty while dropping the pins.
  mm.unpin_user_pages_dirty_lock(pages, n, true);
}
