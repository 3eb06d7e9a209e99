/**
 * The throughput formula behind the simulation, term by term: what each design can deliver
 * in steady state from the parameters alone. The simulation (`./model.ts`) and this formula
 * must agree (the tests check it within a few percent over a long run); the lesson prints
 * both, so a reader can see where every number comes from.
 */
import { PAGE_BYTES, readFinishTerms, readSetupTerms, type DaqParams } from './model.ts';

/** One term of the formula: its name, its value and unit, and what it stands for. */
export interface FormulaTerm {
  name: string;
  value: number;
  unit: 'ns' | 'bytes' | 'bytes/s';
  meaning: string;
}

/** The steady-state throughput of a design, with the terms it was computed from. */
export interface Throughput {
  /** Bytes/s reaching the process. */
  delivered_Bps: number;
  /** The formula, as text with the parameter names. */
  formula: string;
  terms: FormulaTerm[];
  /** Which limit binds: the device's own rate, or a software/bus limit. */
  limit: 'device rate' | 'CPU reads over PCIe' | 'gap between reads' | 'software per read' | 'the consumer';
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Steady-state throughput of `p`'s design (bytes/s), with its terms. Pure; `p` must be valid. */
export function throughput(p: DaqParams): Throughput {
  const c = p.costs;
  const rate = p.rate_Bps;
  if (p.design === 'A') {
    const pio = (c.mmio_read_bytes / c.mmio_read_ns) * 1e9;
    const perChunk = (p.chunk_bytes / c.mmio_read_bytes) * c.mmio_read_ns + c.mmio_read_ns;
    const cap = (p.chunk_bytes / perChunk) * 1e9;
    return {
      delivered_Bps: Math.min(rate, cap),
      formula: 'min(rate, chunk / (chunk / mmio_read_bytes × mmio_read_ns + mmio_read_ns))',
      terms: [
        { name: 'mmio_read_ns', value: c.mmio_read_ns, unit: 'ns', meaning: 'one CPU read of the device (a PCIe round trip)' },
        { name: 'mmio_read_bytes', value: c.mmio_read_bytes, unit: 'bytes', meaning: 'bytes per read (readl)' },
        { name: 'CPU read rate', value: pio, unit: 'bytes/s', meaning: 'mmio_read_bytes / mmio_read_ns' },
        { name: 'chunk', value: p.chunk_bytes, unit: 'bytes', meaning: 'one transaction, plus one status read to find it' },
      ],
      limit: cap < rate ? 'CPU reads over PCIe' : 'device rate',
    };
  }
  if (p.design === 'B') {
    const R = p.read_bytes;
    const setup = sum(readSetupTerms(p));
    const finish = sum(readFinishTerms(p));
    const consume = (R / c.consumer_Bps) * 1e9;
    const gap = setup + c.irq_ns + c.wakeup_ns + finish + consume;
    if (p.reads_in_flight === 1) {
      const lostPerRead = Math.max(0, (rate * gap) / 1e9 - p.fifo_bytes);
      const v = (rate * R) / (R + lostPerRead);
      return {
        delivered_Bps: v,
        formula: 'rate × R / (R + max(0, rate × gap − fifo)),  gap = setup + irq + wakeup + unmap/unpin + R / consumer',
        terms: [
          { name: 'R', value: R, unit: 'bytes', meaning: `read size (${R / PAGE_BYTES} pages, one descriptor each)` },
          { name: 'setup', value: setup, unit: 'ns', meaning: 'syscall + pin + sg table + dma_map + descriptors' },
          { name: 'irq + wakeup', value: c.irq_ns + c.wakeup_ns, unit: 'ns', meaning: 'MSI handler and waking the reader' },
          { name: 'unmap + unpin', value: finish, unit: 'ns', meaning: 'dma_unmap_sgtable + unpin_user_pages_dirty_lock' },
          { name: 'R / consumer', value: consume, unit: 'ns', meaning: 'the process using the data before its next read()' },
          { name: 'gap', value: gap, unit: 'ns', meaning: 'time the device has no descriptors' },
          { name: 'fifo', value: p.fifo_bytes, unit: 'bytes', meaning: 'what the FIFO absorbs during the gap' },
        ],
        limit: lostPerRead > 0 ? 'gap between reads' : 'device rate',
      };
    }
    const cycle = setup + c.wakeup_ns + finish + consume;
    const cap = (R / cycle) * 1e9;
    return {
      delivered_Bps: Math.min(rate, cap),
      formula: 'min(rate, R / (setup + wakeup + unmap/unpin + R / consumer))',
      terms: [
        { name: 'R', value: R, unit: 'bytes', meaning: 'read size' },
        { name: 'software per read', value: cycle, unit: 'ns', meaning: 'setup + wakeup + unmap/unpin + using the data' },
        { name: 'R / rate', value: (R / rate) * 1e9, unit: 'ns', meaning: 'time the device needs to fill one read' },
      ],
      limit: cap < rate ? 'software per read' : 'device rate',
    };
  }
  const S = p.frame_bytes;
  const perBuffer = (S / c.consumer_Bps) * 1e9 + c.syscall_ns + c.mmio_write_ns;
  const cap = (S / perBuffer) * 1e9;
  return {
    delivered_Bps: Math.min(rate, cap),
    formula: 'min(rate, S / (S / consumer + syscall_ns + mmio_write_ns))',
    terms: [
      { name: 'S', value: S, unit: 'bytes', meaning: 'one ring buffer (a frame)' },
      { name: 'S / consumer', value: (S / c.consumer_Bps) * 1e9, unit: 'ns', meaning: 'the process using one buffer in place' },
      { name: 'release', value: c.syscall_ns + c.mmio_write_ns, unit: 'ns', meaning: 'one release call and re-arming the buffer\'s descriptor' },
      { name: 'S / rate', value: (S / rate) * 1e9, unit: 'ns', meaning: 'time the device needs to fill one buffer' },
    ],
    limit: cap < rate ? 'the consumer' : 'device rate',
  };
}
