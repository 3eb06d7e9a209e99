/**
 * The cost table of the data-acquisition model: what each operation costs, in named units
 * (`_ns` nanoseconds, `_Bps` bytes per second, `_bytes` bytes), and where each default comes
 * from. Every default is either cited (`kind: 'cited'`, with the source) or an assumption
 * (`kind: 'assumption'`, with the range a reader should try). The absolute figures the model
 * gives are only as good as this table: the lesson says so and shows the formula.
 */

/** Per-operation costs. All fields are finite numbers > 0 (validated by `validateCosts`). */
export interface CostTable {
  /** One CPU read of a device register or device memory over PCIe (a non-posted round trip), in ns. */
  mmio_read_ns: number;
  /** Bytes one such read returns (`readl`: 4). */
  mmio_read_bytes: number;
  /** One posted MMIO write (a descriptor word, a doorbell), in ns of CPU time. */
  mmio_write_ns: number;
  /** How long the polling kernel thread sleeps when the data-ready bit is clear (`msleep(1)`), in ns. */
  poll_sleep_ns: number;
  /** Entering and leaving the kernel for one system call, in ns. */
  syscall_ns: number;
  /** Sending a signal and running the process's handler up to its first instruction, in ns. */
  signal_ns: number;
  /** Waking a task asleep on a wait queue until it runs, in ns. */
  wakeup_ns: number;
  /** Handling one MSI interrupt (entry, the driver's handler, exit), in ns. */
  irq_ns: number;
  /** CPU copy bandwidth (`copy_to_user`, memcpy of data not in cache), in bytes/s. */
  copy_Bps: number;
  /** `pin_user_pages_fast()` per 4 KiB page, in ns. */
  pin_ns_per_page: number;
  /** `unpin_user_pages_dirty_lock()` per page, in ns. */
  unpin_ns_per_page: number;
  /** `sg_alloc_table_from_pages_segment()` per page, in ns. */
  sg_ns_per_page: number;
  /** `dma_map_sgtable()` per segment (IOMMU page-table update), in ns. */
  map_ns_per_seg: number;
  /** `dma_unmap_sgtable()` per segment (IOMMU unmap and IOTLB invalidation), in ns. */
  unmap_ns_per_seg: number;
  /** What the DMA engine can move over the link, in bytes/s. */
  dma_Bps: number;
  /** How fast the application itself uses the data (stores or processes it), in bytes/s. */
  consumer_Bps: number;
}

/** Where a default comes from. */
export interface CostSource {
  kind: 'cited' | 'assumption';
  /** One or two plain sentences: the source, or why this value and what range to try. */
  note: string;
}

/** The defaults. See `COST_SOURCES` for the origin of each. */
export const DEFAULT_COSTS: Readonly<CostTable> = Object.freeze({
  mmio_read_ns: 2000,
  mmio_read_bytes: 4,
  mmio_write_ns: 150,
  poll_sleep_ns: 4_000_000,
  syscall_ns: 540,
  signal_ns: 3000,
  wakeup_ns: 5000,
  irq_ns: 1500,
  copy_Bps: 5e9,
  pin_ns_per_page: 100,
  unpin_ns_per_page: 60,
  sg_ns_per_page: 25,
  map_ns_per_seg: 150,
  unmap_ns_per_seg: 250,
  dma_Bps: 1.6e9,
  consumer_Bps: 2e9,
});

/** The source or assumption behind each default, keyed like `CostTable`. */
export const COST_SOURCES: Readonly<Record<keyof CostTable, CostSource>> = Object.freeze({
  mmio_read_ns: {
    kind: 'assumption',
    note: 'Published reports of one CPU read of a PCIe device run from about 2 µs (a 64-bit read on a Xeon E3, Intel community forum thread "How to improve PCIe PIO Read Performance") to at least 5.5 µs (a readl of a 10G NIC BAR on a Xeon E5, Stack Overflow question "MMIO read/write latency"). 2 µs is the low end of that range; it depends on the platform and the device.',
  },
  mmio_read_bytes: { kind: 'cited', note: 'readl() reads 32 bits (include/asm-generic/io.h).' },
  mmio_write_ns: {
    kind: 'assumption',
    note: 'Writes are posted: the CPU does not wait for an answer. A forum report (Intel community, "Why do MemReq TLPs take 100s nanoseconds to be generated after MMIO writes?") saw 50 to 300 ns between uncached write TLPs; 150 ns is the middle.',
  },
  poll_sleep_ns: {
    kind: 'cited',
    note: 'msleep(1) sleeps for msecs_to_jiffies(1) = one jiffy (kernel/time/timer.c, msleep(), Linux 6.12): the timer fires at the next jiffy boundary after that, so up to 4 ms at HZ=250. The model takes the whole jiffy.',
  },
  syscall_ns: {
    kind: 'cited',
    note: 'An ioctl(FIONREAD) round trip measured about 0.54 µs on a 6.18 kernel in a VM (one run, the project\'s kernel fact sheet). Mitigations and the CPU move it between about 0.1 and 2 µs.',
  },
  signal_ns: { kind: 'assumption', note: 'Queueing a signal, the wake-up and the trip into and out of the handler: a few microseconds; try 1 to 10 µs.' },
  wakeup_ns: { kind: 'assumption', note: 'Wake-up latency of a sleeping task, including the context switch: try 2 to 50 µs (idle CPUs in deep sleep states are slower).' },
  irq_ns: { kind: 'assumption', note: 'MSI delivery, interrupt entry and exit and a short handler: try 1 to 5 µs.' },
  copy_Bps: { kind: 'assumption', note: 'One core copying data that is not in cache: try 2 to 10 GB/s.' },
  pin_ns_per_page: { kind: 'assumption', note: 'The lockless page-table walk and pin count update of pin_user_pages_fast per already-faulted page: try 20 to 300 ns.' },
  unpin_ns_per_page: { kind: 'assumption', note: 'set_page_dirty_lock and the pin count drop per page: try 20 to 200 ns.' },
  sg_ns_per_page: { kind: 'assumption', note: 'Filling one scatterlist entry: try 10 to 50 ns.' },
  map_ns_per_seg: { kind: 'assumption', note: 'With an IOMMU, one IOVA allocation and page-table update per segment: try 50 to 500 ns; without an IOMMU, dma-direct costs close to 0.' },
  unmap_ns_per_seg: { kind: 'assumption', note: 'IOMMU unmap and IOTLB invalidation per segment (batched invalidation is cheaper): try 50 to 1000 ns.' },
  dma_Bps: {
    kind: 'assumption',
    note: 'PCIe 1.x x8: 2.5 GT/s per lane with 8b/10b encoding is 2.0 GB/s per direction; 80% of it is left for payload after packet headers and flow control (an assumption: it depends on the maximum payload size).',
  },
  consumer_Bps: { kind: 'assumption', note: 'What the application does with the data (write it to disk, compress it): a design choice, not a kernel cost. Try 0.2 to 5 GB/s.' },
});

/** Throws `RangeError` naming the field when a cost is missing, not finite, or not > 0. */
export function validateCosts(c: CostTable): void {
  for (const k of Object.keys(DEFAULT_COSTS) as (keyof CostTable)[]) {
    const v = (c as unknown as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`cost ${k} must be a finite number > 0, got ${String(v)}`);
  }
  if (!Number.isInteger(c.mmio_read_bytes) || c.mmio_read_bytes > 64) throw new RangeError(`cost mmio_read_bytes must be an integer from 1 to 64, got ${c.mmio_read_bytes}`);
}
