import { describe, expect, it } from 'vitest';
import { replay } from '../core/model.ts';
import { explore } from '../explore/explore.ts';
import {
  BAR0_PHYS,
  CTRL_START,
  IRQ_ENABLE_DONE,
  MAX_UIO_MAPS,
  MMAP_BASE,
  MMAP_SLOT,
  O_NONBLOCK,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  REG,
  STATUS_BUSY,
  STATUS_DONE,
  STATUS_ERR,
  SYSFS_UIO,
  UIO_MEM,
  UIO_PATH,
  USER_BUFFER_VA,
  VFIO_PATH,
} from './constants.ts';
import type { RegName } from './constants.ts';
import { MEMORY_PATHS, memoryPath, memoryPathNarration } from './memory-paths.ts';
import { canonicalKey, chunkBounds, initialState, stepUnchecked, stepUserOp, sysfsRead, toBytes, uioModel, validateParams } from './model.ts';
import { BUF_BUS, BUF_VA, DMA_MAP, REGS_MAP, REGS_VA, UIO_PRESETS, VFIO_IOVA, baseParams } from './presets.ts';
import type { UioChoice, UioParams, UioState, UserOp } from './types.ts';

// ---------------------------------------------------------------------------------------
// Helpers

function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1];
}

function run(name: string): UioState[] {
  const p = UIO_PRESETS[name];
  return replay(uioModel, p.params, 0, p.schedule);
}

function narrations(states: UioState[]): (string | undefined)[] {
  return states.slice(1).map((s) => s.event?.narration);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Applies A's ops one after another (any op, as a session would); returns the states and each op's result. */
function ops(s0: UioState, list: UserOp[]): { states: UioState[]; rets: ReturnType<typeof stepUserOp>['ret'][] } {
  const states = [s0];
  const rets: ReturnType<typeof stepUserOp>['ret'][] = [];
  for (const op of list) {
    const r = stepUserOp(last(states), op);
    states.push(r.state);
    rets.push(r.ret);
  }
  return { states, rets };
}

const open = (flags = O_RDWR): UserOp => ({ op: 'open', path: UIO_PATH, flags });
const mmap = (fd: number, length: number, offset: number): UserOp => ({ op: 'mmap', fd, length, offset });
const store = (reg: RegName, value: number, base = REGS_VA): UserOp => ({ op: 'mmio-write', va: base + REG[reg], value });
const rd = (fd = 3, count = 4): UserOp => ({ op: 'read', fd, count });
const wr = (fd = 3, value = 1, count = 4): UserOp => ({ op: 'write', fd, value, count });
const program = (bus: number, len: number, base = REGS_VA): UserOp[] => [store('DMA_ADDR', bus, base), store('DMA_LEN', len, base), store('IRQ_ENABLE', IRQ_ENABLE_DONE, base), store('CTRL', CTRL_START, base)];
const DEV: UioChoice = { actor: 'device' };
const WAKE: UioChoice = { actor: 'A', wake: true };

/** A session-like start: the device opened, registers and buffer mapped. */
function opened(over: Partial<UioParams> = {}, flags = O_RDWR): UioState {
  return last(ops(initialState(baseParams(over)), [open(flags), mmap(3, 4096, 0), mmap(3, 8192, 4096)]).states);
}

/** Arms a transfer to the buffer and lets `data` arrive in `chunks`, each chunk a device step. */
function deliver(s0: UioState, data: string, chunks = 1, bus = BUF_BUS): UioState {
  let s = last(ops(s0, program(bus, data.length)).states);
  s = stepUnchecked(s, { actor: 'world', data: toBytes(data), chunks });
  for (let i = 0; i < chunks; i++) s = stepUnchecked(s, DEV);
  return s;
}

// ---------------------------------------------------------------------------------------

describe('golden traces', () => {
  it('uio-read-blocks: read() sleeps, the interrupt wakes it with count 1, write(1) re-enables', () => {
    const states = run('uio-read-blocks');
    expect(narrations(states)).toEqual([
      "Process A opens /dev/uio0 as fd 3: uio_open records the current count (0) as what this file has seen, and the driver's open allocates its DMA region with dma_alloc_coherent: map 1 (8 KiB at bus address 0x2000, pfns 2-3).",
      'Process A calls mmap(fd 3, 4096, offset 0x0): offset 0 × 4096 selects map 0 ("regs", UIO_MEM_PHYS); uio_mmap_physical maps BAR0 (physical 0xfebf0000) uncached at 0x7f0000100000 with remap_pfn_range.',
      'Process A reads /sys/class/uio/uio0/maps/map1/addr: "0x0000000000002000", the DMA handle, the bus address to give the device (pfns 2-3).',
      'Process A calls mmap(fd 3, 8192, offset 0x1000): offset 1 × 4096 selects map 1 ("dma", UIO_MEM_PHYS); uio_mmap_physical treats mem->addr (0x0000000000002000, the DMA handle) as a physical address and maps pfns 2-3 uncached at 0x7f0000200000: right here only because, without an IOMMU, the DMA handle is the physical address.',
      'Process A stores 0x2000 to DMA_ADDR (BAR0 + 0x0) through its uncached mapping, no system call.',
      'Process A stores 0x10 to DMA_LEN (BAR0 + 0x8) through its uncached mapping, no system call.',
      'Process A stores 0x1 to IRQ_ENABLE (BAR0 + 0x14) through its uncached mapping, no system call.',
      'Process A stores 0x1 to CTRL (BAR0 + 0xc) through its uncached mapping, no system call: the device arms a 16-byte DMA to bus address 0x2000 (bus address = physical address, no IOMMU) and sets BUSY; it writes when data arrives.',
      "Process A calls read(3, &count, 4): the count is still 0, what this file saw last, so uio_read puts A to sleep on the device's wait queue until an interrupt.",
      'The device writes its data, "temperature=21.5" (16 bytes), by DMA to bus address 0x2000, which without an IOMMU is the physical address: pfn 2, the DMA buffer (uio0 map1); the transfer is complete (STATUS.DONE); it interrupts: the handler disables the line (disable_irq_nosync) and uio_event_notify raises the count to 1 and wakes process A.',
      'Process A runs again inside uio_read: the count is 1, one more than the 0 this file saw before: no interrupt missed; read returns 4 bytes holding 1.',
      'Process A reads 16 bytes at 0x7f0000200000, map 1 (pfns 2-3): "temperature=21.5".',
      'Process A calls write(3, &(s32){1}, 4): irqcontrol(info, 1) calls enable_irq, so the next interrupt will be counted; write returns 4.',
    ]);
    expect(states.map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      'uio_dmem_genirq_open',
      'uio_mmap_physical',
      'map_addr_show',
      'uio_mmap_physical',
      null,
      null,
      null,
      null,
      'uio_read',
      'uio_event_notify',
      'uio_read',
      null,
      'uio_dmem_genirq_irqcontrol',
    ]);
    expect(states.map((s) => s.event?.actor ?? null)).toEqual([null, 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'device', 'A', 'A', 'A']);
    expect(states[1].event?.source).toEqual({ file: 'drivers/uio/uio_dmem_genirq.c', fn: 'uio_dmem_genirq_open', version: '6.12' });
    expect(states[9].event?.source).toEqual({ file: 'drivers/uio/uio.c', fn: 'uio_read', version: '6.12' });
    // The sleeping reader, as the views show it.
    expect(states[9].procs[0].blocked).toEqual({ syscall: 'read', fd: 3, count: 4, since: 9 });
    expect(states[9].uio?.waitQueue).toEqual(['A']);
    expect(states[10].uio?.irqState).toEqual({ line: 'disabled', pending: false, handled: 1, merged: 0 });
    expect(states[10].uio?.waitQueue).toEqual(['A']);
    const end = last(states);
    expect(end.procs[0].blocked).toBeNull();
    expect(end.uio?.waitQueue).toEqual([]);
    expect(end.uio?.event).toBe(1);
    expect(end.uio?.irqState.line).toBe('enabled');
    expect(end.procs[0].reads).toEqual([{ fd: 3, value: 1, jump: 1 }]);
    expect(end.procs[0].results.map((r) => [r.call, r.ret, r.errno])).toEqual([
      ['open("/dev/uio0", O_RDWR)', 3, null],
      ['mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0x0)', REGS_VA, null],
      ['cat /sys/class/uio/uio0/maps/map1/addr', null, null],
      ['mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0x1000)', BUF_VA, null],
      ['store 0x2000 to 0x7f0000100000', null, null],
      ['store 0x10 to 0x7f0000100008', null, null],
      ['store 0x1 to 0x7f0000100014', null, null],
      ['store 0x1 to 0x7f000010000c', null, null],
      ['read(3, &count, 4)', 1, null],
      ['read 16 bytes at 0x7f0000200000', null, null],
      ['write(3, &(s32){1}, 4)', 4, null],
    ]);
    expect(end.device.regs.STATUS).toBe(STATUS_DONE);
    expect(end.device.log).toEqual([
      { step: 10, busAddr: 0x2000, length: 16, outcome: 'ok', targets: [{ pfn: 2, offset: 0, length: 16, owner: 'dma-buffer', iova: null }], text: 'temperature=21.5' },
    ]);
    expect(uioModel.enabled(end)).toEqual([]);
  });

  it('missed-interrupts: three chunks before A runs, read returns 3, write gives -ENOSYS', () => {
    const states = run('missed-interrupts');
    const n = narrations(states);
    expect(n.slice(8, 13)).toEqual([
      'The device writes chunk 1 of 3, "frame-1;" (8 bytes), by DMA to bus address 0x2000, which without an IOMMU is the physical address: pfn 2, the DMA buffer (uio0 map1); it interrupts: uio_event_notify raises the count to 1 and wakes process A.',
      'The device writes chunk 2 of 3, "frame-2;" (8 bytes), by DMA to bus address 0x2008, which without an IOMMU is the physical address: pfn 2, the DMA buffer (uio0 map1); it interrupts: uio_event_notify raises the count to 2 (A is already awake but has not run yet).',
      'The device writes chunk 3 of 3, "frame-3;" (8 bytes), by DMA to bus address 0x2010, which without an IOMMU is the physical address: pfn 2, the DMA buffer (uio0 map1); the transfer is complete (STATUS.DONE); it interrupts: uio_event_notify raises the count to 3 (A is already awake but has not run yet).',
      'Process A runs again inside uio_read: the count is 3, 3 more than the 0 this file saw before: 2 interrupts came and went unseen; read returns 4 bytes holding 3.',
      'Process A reads 24 bytes at 0x7f0000200000, map 1 (pfns 2-3): "frame-1;frame-2;frame-3;".',
    ]);
    expect(last(n)).toBe('Process A calls write(3, &(s32){1}, 4): the driver has no irqcontrol, so uio_write returns -ENOSYS.');
    const end = last(states);
    expect(end.procs[0].reads).toEqual([{ fd: 3, value: 3, jump: 3 }]);
    expect(last(end.procs[0].results)).toMatchObject({ ret: null, errno: '-ENOSYS' });
    expect(end.uio?.irqState).toEqual({ line: 'enabled', pending: false, handled: 3, merged: 0 });
    expect(end.device.interruptsRaised).toBe(3);
  });

  it('wrong-bus-address-no-iommu: the stale address lands in B\'s page and nothing stops it', () => {
    const states = run('wrong-bus-address-no-iommu');
    const n = narrations(states);
    expect(n[2]).toBe('Process A closes fd 3: uio_release runs and, as no one has the device open any more, the driver frees its DMA region map 1 (pfns 2-3) with dma_free_coherent; sysfs addr now shows ~0.');
    expect(n[3]).toBe('Process B writes "B: password=hunter2" to a new page at 0x7f0000002000: the page fault takes the lowest free frame, pfn 2, zeroes it and maps it.');
    expect(n[4]).toContain('map 1 (8 KiB at bus address 0x8000, pfns 8-9)');
    expect(n[12]).toBe(
      'The device writes its data, "ADC:0123456789AB" (16 bytes), by DMA to bus address 0x2000, which without an IOMMU is the physical address: pfn 2, process B\'s page at 0x7f0000002000; that is not the DMA buffer, and nothing checked the address; the transfer is complete (STATUS.DONE); it interrupts: the handler disables the line (disable_irq_nosync) and uio_event_notify raises the count to 1 and wakes process A.',
    );
    expect(n[14]).toBe('Process A reads 16 bytes at 0x7f0000200000, map 1 (pfns 8-9): only zeroes.');
    expect(last(n)).toBe('Process B reads its page at 0x7f0000002000 (pfn 2) and finds "ADC:0123456789ABer2": the device\'s DMA wrote over it at step 13, and nothing stopped it.');
    const end = last(states);
    expect(end.frames[2]).toMatchObject({ owner: 'B', va: USER_BUFFER_VA + 0x2000, strayDmaStep: 13, dmaWrites: 1 });
    expect(end.frames[8].bytes).toEqual([]);
    expect(end.procs[1].reads).toEqual([{ page: 2, pfn: 2, text: 'ADC:0123456789ABer2', corrupted: true }]);
    expect(end.device.log.map((w) => w.outcome)).toEqual(['stray']);
    expect(end.iommu.faults).toEqual([]);
  });

  it('wrong-iova-vfio: the same address is an IOMMU fault; the right IOVA reaches A\'s pinned page', () => {
    const states = run('wrong-iova-vfio');
    const n = narrations(states);
    expect(n[1]).toBe(
      'Process A opens /dev/vfio/devices/vfio0 as fd 3: the device is bound to vfio-pci, and its DMA goes through an IOMMU domain that A fills (the model folds the container or iommufd setup into this step).',
    );
    expect(n[2]).toBe(
      "Process A calls VFIO_IOMMU_MAP_DMA(vaddr 0x7f0000000000, iova 0x100000, size 0x2000) (IOMMU_IOAS_MAP with iommufd): VFIO pins A's 2 pages (pfns 4-5) and maps IOVA 0x100000-0x101fff to them in the device's IOMMU domain; the device can reach nothing else.",
    );
    expect(n[8]).toBe(
      "The device tries to write its data (16 bytes) at IOVA 0x2000; the IOMMU finds no mapping for it in the device's domain, blocks the write and reports a fault: nothing in memory changes, the device aborts with STATUS.ERR; its MSI would go to an eventfd set with VFIO_DEVICE_SET_IRQS (not modelled).",
    );
    expect(n[9]).toBe('Process A loads STATUS (BAR0 + 0x10) through its uncached mapping, no system call: 0x2 (ERR).');
    expect(n[10]).toBe('Process B reads its page at 0x7f0000002000 (pfn 2) and finds "B: password=hunter2", intact.');
    expect(n[13]).toBe(
      'The device writes its data, "ADC:FEDCBA987654" (16 bytes), by DMA to IOVA 0x100000, which the IOMMU translates to pfn 4, A\'s own page at 0x7f0000000000; the transfer is complete (STATUS.DONE); its MSI would go to an eventfd set with VFIO_DEVICE_SET_IRQS (not modelled).',
    );
    expect(last(n)).toBe('Process A reads 16 bytes at 0x7f0000000000, its own buffer: "ADC:FEDCBA987654".');
    expect(states[9].event?.source).toEqual({ file: 'drivers/iommu/intel/dmar.c', fn: 'dmar_fault', version: '6.12' });
    const end = last(states);
    expect(end.uio).toBeNull();
    expect(end.iommu.mappings).toEqual([
      { iova: 0x100000, pfn: 4, read: true, write: true },
      { iova: 0x101000, pfn: 5, read: true, write: true },
    ]);
    expect(end.iommu.faults).toEqual([{ step: 9, iova: 0x2000, access: 'write', reason: 'not-mapped' }]);
    expect(end.frames.filter((f) => f.pinned).map((f) => f.pfn)).toEqual([4, 5]);
    expect(end.frames.filter((f) => f.strayDmaStep !== null)).toEqual([]);
    expect(end.procs[1].reads).toEqual([{ page: 2, pfn: 2, text: 'B: password=hunter2', corrupted: false }]);
    expect(end.device.log.map((w) => [w.busAddr, w.outcome, w.targets.map((t) => [t.pfn, t.iova])])).toEqual([
      [0x2000, 'iommu-fault', []],
      [0x100000, 'ok', [[4, 0x100000]]],
    ]);
    expect(end.kernelLog).toEqual(['DMAR: [DMA Write] Request device [03:00.0] fault addr 0x2000: no mapping']);
  });
});

describe('every preset', () => {
  for (const [name, p] of Object.entries(UIO_PRESETS)) {
    it(`${name}: replays to its end, with one sentence and a 6.12 source or null on every step`, () => {
      const states = replay(uioModel, p.params, 0, p.schedule);
      expect(uioModel.enabled(last(states))).toEqual([]);
      for (const s of states.slice(1)) {
        expect(s.event?.narration).toMatch(/^[A-Z0-9"].*\.$/);
        expect(s.event?.narration.includes('undefined')).toBe(false);
        if (s.event?.source) expect(s.event.source.version).toBe('6.12');
      }
      expect(p.description.length).toBeGreaterThan(40);
    });
  }

  it('irqcontrol-reenable: an interrupt held pending, one lost, the replay counted, the line left enabled', () => {
    const states = run('irqcontrol-reenable');
    const n = narrations(states);
    expect(n[12]).toContain('it interrupts, but the line is disabled, so the interrupt is held as pending (IRQS_PENDING) and the count stays at 1');
    expect(n[13]).toContain('one interrupt is already pending, so this one is lost: the count (1) will never show it');
    expect(n[14]).toBe(
      'Process A calls write(3, &(s32){1}, 4): irqcontrol(info, 1) calls enable_irq, which replays the interrupt that came while the line was disabled: the handler disables the line (disable_irq_nosync) and uio_event_notify raises the count to 2; write returns 4.',
    );
    expect(states[13].event?.source?.fn).toBe('handle_edge_irq');
    const end = last(states);
    expect(end.device.interruptsRaised).toBe(3);
    expect(end.uio?.event).toBe(2);
    expect(end.uio?.irqState).toEqual({ line: 'enabled', pending: false, handled: 2, merged: 1 });
    expect(end.procs[0].reads.map((r) => r.value)).toEqual([1, 2]);
    expect(last(end.procs[0].results).text).toBeNull();
    expect(end.procs[0].results.find((r) => r.call.startsWith('read 16'))?.text).toBe('second..third...');
  });

  it('nonblock-eagain: -EINVAL, -EAGAIN, poll 0, POLLIN, 1, -EAGAIN, -EINVAL, 4', () => {
    const end = last(run('nonblock-eagain'));
    const syscalls = end.procs[0].results.filter((r) => /^(read|write|poll)\(/.test(r.call));
    expect(syscalls.map((r) => [r.call, r.ret, r.errno])).toEqual([
      ['read(3, &count, 8)', null, '-EINVAL'],
      ['read(3, &count, 4)', null, '-EAGAIN'],
      ['poll({fd 3, POLLIN}, 1, 0)', 0, null],
      ['poll({fd 3, POLLIN}, 1, 0)', POLLIN, null],
      ['read(3, &count, 4)', 1, null],
      ['read(3, &count, 4)', null, '-EAGAIN'],
      ['write(3, &(s32){1}, 2)', null, '-EINVAL'],
      ['write(3, &(s32){1}, 4)', 4, null],
    ]);
    expect(end.procs[0].blocked).toBeNull();
  });

  it('mmap-offsets: four maps by offset, four refusals, sysfs addresses, the DMA_COHERENT warning', () => {
    const end = last(run('mmap-offsets'));
    const r = end.procs[0].results;
    expect(r.filter((x) => x.call.startsWith('mmap')).map((x) => [x.call.replace('NULL, ', '').replace('PROT_READ|PROT_WRITE, MAP_SHARED, ', ''), x.ret, x.errno])).toEqual([
      ['mmap(4096, 3, 0x0)', MMAP_BASE, null],
      ['mmap(8192, 3, 0x1000)', MMAP_BASE + MMAP_SLOT, null],
      ['mmap(4096, 3, 0x2000)', MMAP_BASE + 2 * MMAP_SLOT, null],
      ['mmap(4096, 3, 0x3000)', MMAP_BASE + 3 * MMAP_SLOT, null],
      ['mmap(4096, 3, 0x4000)', null, '-EINVAL'],
      ['mmap(4096, 3, 0x5000)', null, '-EINVAL'],
      ['mmap(12288, 3, 0x1000)', null, '-EINVAL'],
      ['mmap(4096, 3, 0x1800)', null, '-EINVAL'],
    ]);
    expect(r.filter((x) => x.call.startsWith('cat')).map((x) => x.text)).toEqual(['0x0000000000008000\n', '0xffff888000002000\n', '0xffff888000003000\n']);
    expect(last(r).text).toBe('status: driver p');
    expect(end.kernelLog).toEqual(['dpl_uio 0000:03:00.0: use of UIO_MEM_DMA_COHERENT is highly discouraged']);
    expect(end.procs[0].vmas.map((v) => [v.kind, v.target, v.mapIndex, v.pfns, v.pgprot])).toEqual([
      ['anon', 'memory', null, [4, 5], 'cached'],
      ['uio', 'regs', 0, [], 'uncached'],
      ['uio', 'memory', 1, [8, 9], 'uncached'],
      ['uio', 'memory', 2, [2], 'cached'],
      ['uio', 'memory', 3, [3], 'dma_pgprot'],
    ]);
    expect(end.uio?.maps.map((m) => [m.index, m.memtype, m.memtypeValue, m.addrHex, m.dmaAddr])).toEqual([
      [0, 'PHYS', 1, '0x00000000febf0000', null],
      [1, 'PHYS', 1, '0x0000000000008000', 0x8000],
      [2, 'LOGICAL', 2, '0xffff888000002000', null],
      [3, 'DMA_COHERENT', 5, '0xffff888000003000', 0x3000],
    ]);
  });
});

describe('read() semantics (uio_read)', () => {
  it('wants exactly 4 bytes: any other count is -EINVAL, even with an interrupt waiting', () => {
    const s = deliver(opened(), 'x');
    for (const count of [0, 1, 2, 3, 5, 8, 64]) {
      const r = stepUserOp(s, rd(3, count));
      expect(r.ret).toEqual({ ret: null, errno: 'EINVAL', text: null });
      expect(r.state.procs[0].files[0].eventCount).toBe(0);
    }
    expect(stepUserOp(s, rd(3, 4)).ret).toEqual({ ret: 1, errno: null, text: null });
  });

  it('returns at once when the count already differs, and only then records what the file saw', () => {
    let s = deliver(opened(), 'x');
    expect(s.uio?.event).toBe(1);
    const r = stepUserOp(s, rd());
    expect(r.ret.ret).toBe(1);
    expect(r.state.procs[0].blocked).toBeNull();
    expect(r.state.procs[0].files[0].eventCount).toBe(1);
    // The same count again: a blocking read sleeps.
    s = stepUserOp(r.state, rd()).state;
    expect(s.procs[0].blocked).toMatchObject({ fd: 3 });
    expect(uioModel.enabled(s)).toEqual([]);
  });

  it('O_NONBLOCK gives -EAGAIN instead of sleeping', () => {
    const r = stepUserOp(opened({}, O_RDWR | O_NONBLOCK), rd());
    expect(r.ret.errno).toBe('EAGAIN');
    expect(r.state.procs[0].blocked).toBeNull();
    expect(r.state.uio?.waitQueue).toEqual([]);
  });

  it('a new open starts from the current count: old interrupts are not reported to it', () => {
    let s = deliver(opened(), 'x');
    s = stepUserOp(s, open(O_RDWR | O_NONBLOCK)).state;
    expect(s.procs[0].files.map((f) => [f.fd, f.eventCount])).toEqual([
      [3, 0],
      [4, 1],
    ]);
    expect(stepUserOp(s, rd(4)).ret.errno).toBe('EAGAIN');
    expect(stepUserOp(s, rd(3)).ret.ret).toBe(1);
  });

  it('a jump of more than one shows missed interrupts (a handler that keeps the line enabled)', () => {
    const keep = { driver: { irq: true, irqHandler: 'keep-enabled' as const, irqcontrol: false, maps: [REGS_MAP, DMA_MAP] } };
    let s = deliver(opened(keep), 'abcdef', 3);
    expect(s.uio?.event).toBe(3);
    const r = stepUserOp(s, rd());
    expect(r.ret.ret).toBe(3);
    expect(r.state.procs[0].reads).toEqual([{ fd: 3, value: 3, jump: 3 }]);
    s = deliver(r.state, 'gh', 2);
    expect(stepUserOp(s, rd()).state.procs[0].reads.map((x) => x.jump)).toEqual([3, 2]);
  });

  it('returns the count as an s32: it wraps past 2^31 - 1', () => {
    const s0 = opened();
    const s = { ...s0, uio: { ...(s0.uio as NonNullable<UioState['uio']>), event: 2 ** 31 - 1 }, procs: [{ ...s0.procs[0], files: [{ ...s0.procs[0].files[0], eventCount: 2 ** 31 - 1 }] }, s0.procs[1]] } as UioState;
    const after = deliver(s, 'x');
    expect(after.uio?.event).toBe(-(2 ** 31));
    expect(stepUserOp(after, rd()).ret.ret).toBe(-(2 ** 31));
    expect(sysfsRead(after, `${SYSFS_UIO}/event`).text).toBe('2147483648\n');
  });

  it('a driver without an interrupt: read and write give -EIO, poll reports the -EIO mask', () => {
    const s = opened({ driver: { irq: false, irqHandler: 'keep-enabled', irqcontrol: false, maps: [REGS_MAP, DMA_MAP] } });
    expect(stepUserOp(s, rd()).ret.errno).toBe('EIO');
    expect(stepUserOp(s, wr()).ret.errno).toBe('EIO');
    expect(stepUserOp(s, { op: 'poll', fd: 3 }).ret.ret).toBe(POLLIN | POLLERR | POLLHUP);
  });

  it('a wrong fd is -EBADF; a signal ends a sleeping read with -EINTR', () => {
    const s = opened();
    expect(stepUserOp(s, rd(7)).ret.errno).toBe('EBADF');
    const asleep = stepUserOp(s, rd()).state;
    expect(() => stepUnchecked(asleep, WAKE)).toThrow(/nothing has woken/);
    const after = stepUnchecked(asleep, { actor: 'A', signal: true });
    expect(after.procs[0].blocked).toBeNull();
    expect(last(after.procs[0].results)).toMatchObject({ call: 'read(3, &count, 4)', errno: '-EINTR' });
    expect(after.event?.narration).toContain('-ERESTARTSYS');
  });
});

describe('write() semantics (uio_write, irqcontrol)', () => {
  it('wants 4 bytes; without irqcontrol it is -ENOSYS', () => {
    const s = opened();
    for (const count of [0, 1, 2, 8]) expect(stepUserOp(s, wr(3, 1, count)).ret.errno).toBe('EINVAL');
    const none = opened({ driver: { irq: true, irqHandler: 'keep-enabled', irqcontrol: false, maps: [REGS_MAP, DMA_MAP] } });
    expect(stepUserOp(none, wr()).ret.errno).toBe('ENOSYS');
  });

  it('genirq: the handler disables the line, write(0) and write(1) switch it, without unbalancing the depth', () => {
    let s = deliver(opened(), 'x');
    expect(s.uio?.irqState.line).toBe('disabled');
    s = stepUserOp(s, wr(3, 0)).state;
    expect(s.event?.narration).toContain('already disabled');
    s = stepUserOp(s, wr(3, 1)).state;
    expect(s.uio?.irqState.line).toBe('enabled');
    s = stepUserOp(s, wr(3, 7)).state; // any non-zero value means on
    expect(s.event?.narration).toContain('already enabled');
    s = stepUserOp(s, wr(3, 0)).state;
    expect(s.uio?.irqState.line).toBe('disabled');
    expect(s.procs[0].results.slice(-4).map((r) => r.ret)).toEqual([4, 4, 4, 4]);
  });

  it('forgetting to re-enable: the next interrupt is only held pending, and read sleeps with nothing to wake it', () => {
    let s = deliver(opened(), 'one');
    s = stepUserOp(s, rd()).state;
    s = deliver(s, 'two');
    expect(s.uio?.event).toBe(1);
    expect(s.uio?.irqState).toMatchObject({ line: 'disabled', pending: true });
    s = stepUserOp(s, rd()).state;
    expect(s.procs[0].blocked).not.toBeNull();
    expect(uioModel.enabled(s)).toEqual([]);
    // Re-enabling replays the pending interrupt at once.
    const woke = stepUserOp(deliver(opened(), 'one'), rd()).state;
    const r = stepUserOp(deliver(woke, 'two'), wr());
    expect(r.state.uio?.event).toBe(2);
    expect(r.state.uio?.irqState).toEqual({ line: 'disabled', pending: false, handled: 2, merged: 0 });
  });

  it('keep-enabled with irqcontrol: write(0) masks the line, interrupts wait, write(1) replays one', () => {
    let s = opened({ driver: { irq: true, irqHandler: 'keep-enabled', irqcontrol: true, maps: [REGS_MAP, DMA_MAP] } });
    s = stepUserOp(s, wr(3, 0)).state;
    s = deliver(s, 'abc', 3);
    expect(s.uio?.irqState).toEqual({ line: 'disabled', pending: true, handled: 0, merged: 2 });
    s = stepUserOp(s, wr(3, 1)).state;
    expect(s.uio?.irqState).toEqual({ line: 'enabled', pending: false, handled: 1, merged: 2 });
    expect(s.event?.source?.fn).toBe('uio_write');
  });
});

describe('poll()', () => {
  it('reports POLLIN when the count differs and does not consume it', () => {
    let s = opened();
    expect(stepUserOp(s, { op: 'poll', fd: 3 }).ret.ret).toBe(0);
    s = deliver(s, 'x');
    s = stepUserOp(s, { op: 'poll', fd: 3 }).state;
    expect(last(s.procs[0].results).ret).toBe(POLLIN);
    expect(s.procs[0].files[0].eventCount).toBe(0);
    expect(stepUserOp(s, rd()).ret.ret).toBe(1);
    expect(stepUserOp(s, { op: 'poll', fd: 9 }).ret.ret).toBe(0x20);
  });
});

describe('mmap offsets (uio_mmap, uio_find_mem_index)', () => {
  const five = (): UioParams =>
    baseParams({
      frames: 24,
      driver: {
        irq: true,
        irqHandler: 'genirq',
        irqcontrol: true,
        maps: [REGS_MAP, DMA_MAP, ...[2, 3, 4].map((i) => ({ name: `k${i}`, memtype: 'LOGICAL' as const, size: 4096, backing: 'kernel' as const }))],
      },
    });

  it('offset N * 4096 selects map N, for every N below MAX_UIO_MAPS; N >= 5 is -EINVAL', () => {
    const s = last(ops(initialState(five()), [open()]).states);
    for (let n = 0; n < 8; n++) {
      const r = stepUserOp(s, mmap(3, 4096, n * 4096));
      if (n < MAX_UIO_MAPS) {
        expect(r.ret.errno).toBeNull();
        expect(last(r.state.procs[0].vmas).mapIndex).toBe(n);
      } else {
        expect(r.ret.errno).toBe('EINVAL');
        expect(r.state.event?.narration).toContain(`map ${n} is at or beyond MAX_UIO_MAPS (5)`);
        expect(r.state.event?.source?.fn).toBe('uio_find_mem_index');
      }
    }
  });

  it('a map the driver does not have is -EINVAL; so are too many pages, an unaligned offset and length 0', () => {
    const s = opened();
    expect(stepUserOp(s, mmap(3, 4096, 2 * 4096)).ret.errno).toBe('EINVAL');
    expect(stepUserOp(s, mmap(3, 4097, 0)).ret.errno).toBe('EINVAL'); // 2 pages of a 1-page BAR map
    expect(stepUserOp(s, mmap(3, 3 * 4096, 4096)).ret.errno).toBe('EINVAL');
    expect(stepUserOp(s, mmap(3, 100, 4096)).ret.errno).toBeNull(); // rounded up to one page
    expect(stepUserOp(s, mmap(3, 4096, 4095)).ret.errno).toBe('EINVAL');
    expect(stepUserOp(s, mmap(3, 0, 0)).ret.errno).toBe('EINVAL');
    expect(stepUserOp(s, mmap(9, 4096, 0)).ret.errno).toBe('EBADF');
  });

  it('uio_mmap_physical compares the whole mapping with mem->size: a 32-byte register map cannot be mapped', () => {
    const s = last(ops(initialState(baseParams({ driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [{ ...REGS_MAP, size: 32 }] } })), [open()]).states);
    const r = stepUserOp(s, mmap(3, 32, 0));
    expect(r.ret.errno).toBe('EINVAL');
    expect(r.state.event?.narration).toContain('4096 bytes is more than the 32 bytes');
    expect(r.state.event?.source?.fn).toBe('uio_mmap_physical');
  });

  it('UIO_MEM_NONE is refused; IOVA maps cached; VIRTUAL pages come by fault; sysfs size and offset', () => {
    const p = baseParams({
      driver: {
        irq: true,
        irqHandler: 'genirq',
        irqcontrol: true,
        maps: [{ ...REGS_MAP, memtype: 'IOVA' }, { name: 'none', memtype: 'NONE', size: 4096, backing: 'kernel' }, { name: 'vm', memtype: 'VIRTUAL', size: 4096, backing: 'kernel' }],
      },
    });
    const s = last(ops(initialState(p), [open()]).states);
    expect(stepUserOp(s, mmap(3, 4096, 0)).state.procs[0].vmas[1].pgprot).toBe('cached');
    expect(stepUserOp(s, mmap(3, 4096, 4096)).ret.errno).toBe('EINVAL');
    const v = stepUserOp(s, mmap(3, 4096, 8192)).state;
    expect(last(v.procs[0].vmas).how).toContain('vmalloc_to_page');
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map2/addr`).text).toBe('0xffffc90000200000\n');
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map1/size`).text).toBe('0x0000000000001000\n');
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map0/offset`).text).toBe('0x0\n');
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map0/addr`).text).toBe(`0x00000000${BAR0_PHYS.toString(16)}\n`);
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map3/addr`).errno).toBe('ENOENT');
    expect(sysfsRead(s, `${SYSFS_UIO}/name`).text).toBe('dpl_uio\n');
  });

  it('the dynamic region exists only while the device is open (uio_dmem_genirq): sysfs shows ~0 otherwise', () => {
    const s0 = initialState(baseParams());
    expect(sysfsRead(s0, `${SYSFS_UIO}/maps/map1/addr`).text).toBe('0xffffffffffffffff\n');
    const s1 = stepUserOp(s0, open()).state;
    expect(sysfsRead(s1, `${SYSFS_UIO}/maps/map1/addr`).text).toBe('0x0000000000002000\n');
    expect(s1.frames.filter((f) => f.owner === 'dma-buffer').map((f) => f.pfn)).toEqual([2, 3]);
    // A mapping keeps the file, so close does not free the buffer.
    const mapped = last(ops(s1, [mmap(3, 8192, 4096), { op: 'close', fd: 3 }]).states);
    expect(mapped.uio?.openCount).toBe(1);
    expect(mapped.procs[0].files).toEqual([{ fd: null, path: UIO_PATH, kind: 'uio', nonblock: false, eventCount: 0, mappings: 1 }]);
    // Without a mapping, the last close frees it.
    const closed = stepUserOp(s1, { op: 'close', fd: 3 }).state;
    expect(closed.uio?.openCount).toBe(0);
    expect(sysfsRead(closed, `${SYSFS_UIO}/maps/map1/addr`).text).toBe('0xffffffffffffffff\n');
    expect(closed.frames[2].owner).toBe('free');
    // Two opens: only the first allocates, only the last release frees.
    const two = last(ops(s0, [open(), open(), { op: 'close', fd: 3 }]).states);
    expect(two.uio?.maps[1].allocated).toBe(true);
    expect(two.procs[0].files.map((f) => f.fd)).toEqual([4]);
  });
});

describe('the device and the IOMMU', () => {
  it('without an IOMMU a bus address is a physical address: every RAM frame can be hit', () => {
    const base = opened();
    for (let pfn = 0; pfn < 16; pfn++) {
      const s = deliver(base, 'ZZ', 1, pfn * 4096 + 8);
      const w = last(s.device.log);
      expect(w.targets).toEqual([{ pfn, offset: 8, length: 2, owner: base.frames[pfn].owner, iova: null }]);
      expect(s.frames[pfn].bytes.slice(8, 10)).toEqual([90, 90]);
      expect(w.outcome).toBe(base.frames[pfn].owner === 'dma-buffer' ? 'ok' : 'stray');
      // Nothing else changed.
      s.frames.forEach((f, i) => {
        if (i !== pfn) expect(f.bytes).toEqual(base.frames[i].bytes);
      });
    }
  });

  it('beyond RAM (the CPU virtual address used as a bus address) nothing is written and STATUS.ERR is set', () => {
    const base = opened();
    const s = deliver(base, 'data', 1, BUF_VA);
    expect(last(s.device.log)).toMatchObject({ outcome: 'no-ram', targets: [], busAddr: BUF_VA });
    expect(s.device.regs.STATUS & STATUS_ERR).toBe(STATUS_ERR);
    expect(s.device.errors).toBe(1);
    expect(s.frames.map((f) => f.bytes)).toEqual(base.frames.map((f) => f.bytes));
    expect(s.uio?.event).toBe(1); // the error still interrupts
  });

  it('with VFIO every bus address either reaches A\'s mapped pages or faults; no other frame ever changes', () => {
    const p = baseParams({ iommu: 'vfio' });
    const base = last(ops(initialState(p), [{ op: 'open', path: VFIO_PATH, flags: O_RDWR }, { op: 'map-dma', vaddr: USER_BUFFER_VA, iova: VFIO_IOVA, length: 8192 }, mmap(3, 4096, 0)]).states);
    const candidates = [0, 0x1000, 0x2000, 0x6000, 0xf000, 0xfff0, VFIO_IOVA - 1, VFIO_IOVA, VFIO_IOVA + 0xff0, VFIO_IOVA + 0x1ffe, VFIO_IOVA + 0x2000, BUF_VA, USER_BUFFER_VA];
    for (const bus of candidates) {
      const s = deliver(base, 'WXYZ', 1, bus);
      const w = last(s.device.log);
      const inside = bus >= VFIO_IOVA && bus + 4 <= VFIO_IOVA + 0x2000;
      expect(w.outcome).toBe(inside ? 'ok' : 'iommu-fault');
      s.frames.forEach((f, i) => {
        if (!inside || (f.pfn !== 4 && f.pfn !== 5)) expect(f.bytes).toEqual(base.frames[i].bytes);
      });
      expect(s.iommu.faults.length).toBe(inside ? 0 : 1);
    }
    // A write across the two mapped pages lands in both, split at the page boundary.
    const across = deliver(base, 'ABCD', 1, VFIO_IOVA + 0xffe);
    expect(last(across.device.log).targets.map((t) => [t.pfn, t.offset, t.length, t.iova])).toEqual([
      [4, 0xffe, 2, VFIO_IOVA],
      [5, 0, 2, VFIO_IOVA + 0x1000],
    ]);
  });

  it('VFIO_IOMMU_MAP_DMA checks alignment, that the memory is A\'s and overlaps', () => {
    const s = stepUserOp(initialState(baseParams({ iommu: 'vfio' })), { op: 'open', path: VFIO_PATH, flags: O_RDWR }).state;
    const md = (vaddr: number, iova: number, length: number) => stepUserOp(s, { op: 'map-dma', vaddr, iova, length });
    expect(md(USER_BUFFER_VA, VFIO_IOVA + 1, 4096).ret.errno).toBe('EINVAL');
    expect(md(USER_BUFFER_VA, VFIO_IOVA, 0).ret.errno).toBe('EINVAL');
    expect(md(USER_BUFFER_VA, VFIO_IOVA, 3 * 4096).ret.errno).toBe('EFAULT');
    const once = md(USER_BUFFER_VA, VFIO_IOVA, 4096).state;
    expect(stepUserOp(once, { op: 'map-dma', vaddr: USER_BUFFER_VA + 4096, iova: VFIO_IOVA, length: 4096 }).ret.errno).toBe('EEXIST');
    expect(stepUserOp(initialState(baseParams()), { op: 'map-dma', vaddr: USER_BUFFER_VA, iova: 0, length: 4096 }).ret.errno).toBe('EINVAL');
    // Under VFIO there is no /dev/uio0 and no sysfs uio0; without it, no /dev/vfio device.
    expect(stepUserOp(s, open()).ret.errno).toBe('ENOENT');
    expect(sysfsRead(s, `${SYSFS_UIO}/maps/map1/addr`).errno).toBe('ENOENT');
    expect(stepUserOp(initialState(baseParams()), { op: 'open', path: VFIO_PATH, flags: O_RDWR }).ret.errno).toBe('ENOENT');
  });

  it('registers: DMA_LEN 0 is an error, START while busy is ignored, STATUS is write-1-to-clear, stray offsets are ignored', () => {
    let s = opened();
    s = last(ops(s, [store('DMA_LEN', 0), store('IRQ_ENABLE', IRQ_ENABLE_DONE), store('CTRL', CTRL_START)]).states);
    expect(s.device.regs.STATUS).toBe(STATUS_ERR);
    expect(s.device.transfer).toBeNull();
    expect(s.uio?.event).toBe(1);
    s = last(ops(s, [store('STATUS', STATUS_ERR), store('DMA_ADDR', BUF_BUS), store('DMA_LEN', 8), store('CTRL', CTRL_START)]).states);
    expect(stepUserOp(s, { op: 'mmio-read', va: REGS_VA + REG.STATUS }).ret.ret).toBe(STATUS_BUSY);
    s = stepUserOp(s, store('CTRL', CTRL_START)).state;
    expect(s.event?.narration).toContain('busy, so it ignores START');
    expect(stepUserOp(s, { op: 'mmio-read', va: REGS_VA + REG.CTRL }).ret.ret).toBe(0);
    expect(stepUserOp(s, { op: 'mmio-read', va: REGS_VA + REG.DMA_LEN }).ret.ret).toBe(8);
    const odd = stepUserOp(s, { op: 'mmio-write', va: REGS_VA + 0x40, value: 5 });
    expect(odd.state.device.regs).toEqual(s.device.regs);
    expect(odd.state.event?.narration).toContain('no register starts there');
  });

  it('IRQ_ENABLE 0: the data arrives but no interrupt, so the count stays', () => {
    let s = last(ops(opened(), [store('DMA_ADDR', BUF_BUS), store('DMA_LEN', 4), store('CTRL', CTRL_START)]).states);
    s = stepUnchecked(stepUnchecked(s, { actor: 'world', data: toBytes('data'), chunks: 1 }), DEV);
    expect(s.uio?.event).toBe(0);
    expect(s.device.interruptsRaised).toBe(0);
    expect(s.frames[2].bytes).toEqual(toBytes('data'));
  });

  it('data longer than DMA_LEN is cut; chunks split the bytes evenly', () => {
    expect(chunkBounds(24, 24, 3, 0)).toEqual([0, 8]);
    expect(chunkBounds(24, 24, 3, 2)).toEqual([16, 24]);
    expect(chunkBounds(10, 4, 2, 1)).toEqual([2, 4]);
    let s = last(ops(opened(), program(BUF_BUS, 4)).states);
    s = stepUnchecked(stepUnchecked(s, { actor: 'world', data: toBytes('abcdefgh'), chunks: 1 }), DEV);
    expect(s.frames[2].bytes).toEqual(toBytes('abcd'));
    expect(s.event?.narration).toContain('the last 4 bytes are dropped');
  });

  it('a load or store outside every mapping kills A with SIGSEGV', () => {
    const r = stepUserOp(opened(), { op: 'mmio-write', va: 0x1000, value: 1 });
    expect(r.state.procs[0].status).toBe('killed');
    expect(r.state.event?.narration).toContain('SIGSEGV');
    expect(uioModel.enabled({ ...r.state, params: { ...r.state.params, programA: [rd()] } })).toEqual([]);
    expect(() => stepUserOp(r.state, rd())).toThrow(/cannot run/);
  });
});

describe('every schedule (explorer)', () => {
  const noStrayIntoB = {
    name: 'the device never writes into a page of process B',
    check: (s: UioState) => (s.frames.some((f) => f.owner === 'B' && f.strayDmaStep !== null) ? 'B was corrupted' : null),
  };
  const spec = (p: UioParams) => ({ model: uioModel, params: p, seed: 0, invariant: noStrayIntoB, key: canonicalKey, actor: (c: UioChoice) => c.actor });

  it('no IOMMU: with the stale address some schedule corrupts B, and the explorer finds it', () => {
    const p = UIO_PRESETS['wrong-bus-address-no-iommu'].params;
    const r = explore(spec(p));
    expect(r.verdict).toBe('counterexample');
    if (r.verdict !== 'counterexample') return;
    expect(last(r.schedule)).toEqual({ actor: 'device' });
  });

  it('VFIO: with the same wrong address no schedule corrupts B', () => {
    const p = UIO_PRESETS['wrong-iova-vfio'].params;
    const r = explore(spec(p));
    expect(r.verdict).toBe('proved');
    if (r.verdict === 'proved') expect(r.stats.states).toBeGreaterThan(30);
  });
});

describe('model contract', () => {
  it('step never mutates its input (deep-frozen states)', () => {
    for (const p of Object.values(UIO_PRESETS)) {
      let s = deepFreeze(uioModel.initialState(p.params, 0));
      for (const c of p.schedule) s = deepFreeze(uioModel.step(s, c));
    }
    const s = deepFreeze(opened());
    expect(() => deliver(s, 'frozen', 2)).not.toThrow();
    expect(() => stepUnchecked(deepFreeze(stepUserOp(s, rd()).state), { actor: 'A', signal: true })).not.toThrow();
  });

  it('is deterministic and plain JSON: replays agree, and states survive a JSON round trip', () => {
    for (const p of Object.values(UIO_PRESETS)) {
      const a = replay(uioModel, p.params, 0, p.schedule);
      const b = replay(uioModel, p.params, 42, p.schedule);
      expect(b).toEqual(a);
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    }
  });

  it('step throws on a choice that is not enabled; stepFast agrees with step but for the narration', () => {
    const p = UIO_PRESETS['uio-read-blocks'];
    const s0 = uioModel.initialState(p.params, 0);
    expect(() => uioModel.step(s0, DEV)).toThrow(/not enabled/);
    expect(() => uioModel.step(s0, WAKE)).toThrow(/not enabled/);
    expect(() => uioModel.step(s0, { actor: 'world', data: [1], chunks: 1 })).toThrow(/not enabled/);
    let a = s0;
    let b = s0;
    for (const c of p.schedule) {
      a = uioModel.step(a, c);
      b = (uioModel.stepFast as NonNullable<typeof uioModel.stepFast>)(b, c);
      expect(b.event?.narration).toBe('');
      expect(canonicalKey(b)).toBe(canonicalKey(a));
    }
    expect(uioModel.describeChoice(s0, p.schedule[0])).toBe('process A: open("/dev/uio0", O_RDWR)');
    expect(uioModel.sameChoice({ actor: 'device' }, { actor: 'device' })).toBe(true);
    expect(uioModel.event(s0)).toBeNull();
  });

  it('the initial state: frames, maps, registers, processes', () => {
    const s = initialState(baseParams());
    expect(s.frames.map((f) => f.owner)).toEqual(['kernel', 'kernel', 'free', 'free', 'A', 'A', 'B', 'B', 'free', 'free', 'free', 'free', 'free', 'free', 'free', 'free']);
    expect(s.frames[6]).toMatchObject({ va: USER_BUFFER_VA, label: 'B page 0' });
    expect(s.device.regs).toEqual({ DMA_ADDR: 0, DMA_LEN: 0, CTRL: 0, STATUS: 0, IRQ_ENABLE: 0 });
    expect(s.uio?.maps.map((m) => [m.index, m.name, m.memtypeValue, m.allocated, m.dynamic])).toEqual([
      [0, 'regs', UIO_MEM.PHYS, true, false],
      [1, 'dma', UIO_MEM.PHYS, false, true],
    ]);
    expect(s.uio?.irqState).toEqual({ line: 'enabled', pending: false, handled: 0, merged: 0 });
    expect(s.procs.map((p) => p.name)).toEqual(['A', 'B']);
  });
});

describe('parameters', () => {
  const bad: [string, Partial<UioParams>][] = [
    ['pageSize', { pageSize: 8192 }],
    ['frames', { frames: 4 }],
    ['frames', { frames: 65 }],
    ['kernelFrames', { kernelFrames: 0 }],
    ['bufferPfns', { processA: { bufferPfns: [] } }],
    ['kernel', { processA: { bufferPfns: [1] } }],
    ['used twice', { processA: { bufferPfns: [6] } }],
    ['text', { processB: { pages: [{ pfn: 6, text: 'é€' }] } }],
    ['iommu', { iommu: 'smmu' as 'off' }],
    ['irqcontrol', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: false, maps: [REGS_MAP] } }],
    ['MAX_UIO_MAPS', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [REGS_MAP, DMA_MAP, DMA_MAP, DMA_MAP, DMA_MAP, DMA_MAP] } }],
    ['at least one', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [] } }],
    ['one map can be the BAR', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [REGS_MAP, REGS_MAP] } }],
    ['BAR map', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [{ ...REGS_MAP, memtype: 'LOGICAL' }] } }],
    ['whole pages', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [{ ...DMA_MAP, size: 100 }] } }],
    ['size', { driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [{ ...REGS_MAP, size: 0 }] } }],
    ['chunks', { deliveries: [{ data: 'x', chunks: 0 }] }],
    ['data', { deliveries: [{ data: '', chunks: 1 }] }],
    ['data', { deliveries: [{ data: [256], chunks: 1 }] }],
    ['op', { programA: [{ op: 'ioctl' } as unknown as UserOp] }],
    ['count', { programA: [{ op: 'read', fd: 3, count: -1 }] }],
    ['value', { programA: [{ op: 'write', fd: 3, value: 2 ** 33, count: 4 }] }],
    ['length', { programA: [{ op: 'load', va: 0, length: 0 }] }],
    ['op', { programB: [{ op: 'fork' } as unknown as UioParams['programB'][number]] }],
  ];
  for (const [what, over] of bad) {
    it(`rejects bad ${what} with RangeError`, () => {
      expect(() => initialState(baseParams(over))).toThrow(RangeError);
      expect(() => validateParams(baseParams(over))).toThrow(what === 'op' || what === 'count' || what === 'value' || what === 'length' ? /uio params/ : new RegExp(what.split(' ')[0]));
    });
  }

  it('rejects a machine with no room for a static map, and non-objects', () => {
    expect(() => initialState(baseParams({ frames: 8, kernelFrames: 4, processA: { bufferPfns: [4, 5] }, processB: { pages: [{ pfn: 6, text: 'b' }, { pfn: 7, text: 'b' }] }, driver: { irq: true, irqHandler: 'genirq', irqcontrol: true, maps: [REGS_MAP, { ...DMA_MAP, dynamic: false }] } }))).toThrow(RangeError);
    expect(() => initialState(null as unknown as UioParams)).toThrow(RangeError);
    expect(() => stepUserOp(initialState(baseParams()), { op: 'mmap', fd: 3, length: -1, offset: 0 })).toThrow(RangeError);
    expect(() => stepUnchecked(initialState(baseParams()), { actor: 'world', data: [], chunks: 1 })).toThrow(RangeError);
    expect(() => toBytes('ü€')).toThrow(RangeError);
  });
});

describe('memory paths', () => {
  it('six paths with unique ids, verdicts, claims with certainty, and 6.12 sources', () => {
    expect(MEMORY_PATHS.map((p) => [p.id, p.verdict])).toEqual([
      ['dma-mmap-coherent', 'correct'],
      ['remap-vmalloc-to-pfn', 'wrong'],
      ['bus-address-in-first-word', 'wrong'],
      ['uio-dmem-genirq', 'legacy'],
      ['uio-mem-dma-coherent', 'discouraged'],
      ['vfio', 'recommended'],
    ]);
    for (const p of MEMORY_PATHS) {
      expect(p.sources.length).toBeGreaterThan(0);
      for (const s of p.sources) expect(s.version).toBe('6.12');
      for (const c of [...p.why, ...p.history]) expect(['verified', 'likely', 'unsure']).toContain(c.certainty);
      expect(memoryPathNarration(p)).toMatch(/^.+: .+\. .+$/);
    }
    expect(MEMORY_PATHS.filter((p) => p.iommuContained).map((p) => p.id)).toEqual(['vfio']);
    expect(memoryPath('uio-mem-dma-coherent').history[0].text).toContain('6.9-rc1');
    expect(() => memoryPath('ioctl')).toThrow(RangeError);
  });
});
