import { CTRL_START, IRQ_ENABLE_DONE, O_RDWR, PAGE_SIZE, PATHS, REG, failed } from '@sims/uio';
import type { UioSession } from '@sims/uio';

/**
 * A user-space driver for the UIO device: `rounds` transfers of `len` bytes each. Returns the
 * text of each transfer and how many interrupts came and went unseen between two reads.
 */
export function uioIrqLoop(s: UioSession, rounds: number, len: number): { data: string[]; missed: number } {
  const fd = s.open(PATHS.uio, O_RDWR);
  // TODO: mmap map 0 (the registers) and map 1 (the 8 KiB DMA buffer).
  // TODO: find the buffer's bus address.
  // TODO: for each round: program DMA_ADDR, DMA_LEN, IRQ_ENABLE, then CTRL_START;
  //       wait for the interrupt; count missed interrupts; read the data; re-enable.
  void fd;
  void [CTRL_START, IRQ_ENABLE_DONE, PAGE_SIZE, REG, failed, rounds, len];
  return { data: [], missed: 0 };
}
