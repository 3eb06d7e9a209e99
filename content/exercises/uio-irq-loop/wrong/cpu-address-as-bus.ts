// Mistake: programs DMA_ADDR with the mapping's user virtual address (buf.addr) instead of the bus address from sysfs: the device cannot use a CPU address, so the transfer fails or lands somewhere else entirely.
import { CTRL_START, IRQ_ENABLE_DONE, O_RDWR, PAGE_SIZE, PATHS, REG, failed } from '@sims/uio';
import type { UioMapping, UioSession } from '@sims/uio';

/**
 * A user-space driver for the UIO device: `rounds` transfers of `len` bytes each. Returns the
 * text of each transfer and how many interrupts came and went unseen between two reads.
 */
export function uioIrqLoop(s: UioSession, rounds: number, len: number): { data: string[]; missed: number } {
  const fd = s.open(PATHS.uio, O_RDWR);
  if (fd < 0) return { data: [], missed: 0 };

  // Map N lives at offset N * page size.
  const regs = s.mmap(fd, PAGE_SIZE, 0 * PAGE_SIZE);
  const buf = s.mmap(fd, 2 * PAGE_SIZE, 1 * PAGE_SIZE);
  if (failed(regs) || failed(buf)) return { data: [], missed: 0 };
  const r: UioMapping = regs;
  const b: UioMapping = buf;

  // The device needs the bus address the kernel got from dma_alloc_coherent, which only sysfs
  // shows. b.addr is this process's virtual address: meaningless to the device.
  const bus = b.addr;

  const data: string[] = [];
  let missed = 0;
  let last = 0;
  for (let i = 0; i < rounds; i++) {
    r.writeRegister(REG.DMA_ADDR, bus);
    r.writeRegister(REG.DMA_LEN, len);
    r.writeRegister(REG.IRQ_ENABLE, IRQ_ENABLE_DONE);
    r.writeRegister(REG.CTRL, CTRL_START);

    // Sleeps until the interrupt count differs from the last one this fd saw. Exactly 4 bytes.
    const n = s.read(fd, 4);
    if (failed(n)) break;
    // The count is a running total: a jump of more than one means interrupts we never saw.
    missed += n.value - last - 1;
    last = n.value;

    data.push(b.readString(0, len));

    // irqcontrol: the genirq handler disabled the line; turn it back on for the next round.
    s.write(fd, 1);
  }
  return { data, missed };
}
