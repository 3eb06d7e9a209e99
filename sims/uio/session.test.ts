import { describe, expect, it } from 'vitest';
import { CTRL_START, IRQ_ENABLE_DONE, O_NONBLOCK, O_RDWR, POLLIN, REG, STATUS_DONE, STATUS_ERR, USER_BUFFER_VA, VFIO_PATH } from './constants.ts';
import { createSession, failed, PATHS } from './session.ts';
import type { UioMapping, UioSession } from './session.ts';
import { DMA_MAP, REGS_MAP } from './presets.ts';
import { replay } from '../core/model.ts';
import { stepUserOp, uioModel } from './model.ts';

/** The exercise's loop, with switches for its classic mistakes. */
function irqLoop(s: UioSession, rounds: number, opts: { useCpuAddress?: boolean; noReenable?: boolean; len?: number } = {}) {
  const fd = s.open('/dev/uio0', O_RDWR);
  const regs = s.mmap(fd, 4096, 0) as UioMapping;
  const buf = s.mmap(fd, 8192, 4096) as UioMapping;
  const bus = opts.useCpuAddress ? buf.addr : Number(s.readSysfs(PATHS.busAddrOfMap1));
  const len = opts.len ?? 16;
  let last = 0;
  let missed = 0;
  const data: string[] = [];
  for (let i = 0; i < rounds; i++) {
    regs.writeRegister(REG.DMA_ADDR, bus);
    regs.writeRegister(REG.DMA_LEN, len);
    regs.writeRegister(REG.IRQ_ENABLE, IRQ_ENABLE_DONE);
    regs.writeRegister(REG.CTRL, CTRL_START);
    const r = s.read(fd, 4);
    if (failed(r)) {
      data.push(`error ${r.errno}`);
      break;
    }
    missed += r.value - last - 1;
    last = r.value;
    data.push(buf.readString(0, len));
    if (!opts.noReenable) s.write(fd, 1);
  }
  return { data, missed };
}

const keepEnabled = { driver: { irq: true, irqHandler: 'keep-enabled' as const, irqcontrol: true, maps: [REGS_MAP, DMA_MAP] } };

describe('the uio-irq-loop exercise on a session', () => {
  it('the right loop: data arrives, no interrupt missed, the line left enabled', () => {
    const s = createSession();
    s.deviceDeliver('temperature=21.5');
    s.deviceDeliver('temperature=22.0');
    const out = irqLoop(s, 2);
    expect(out).toEqual({ data: ['temperature=21.5', 'temperature=22.0'], missed: 0 });
    const r = s.report();
    expect(r).toMatchObject({
      dataInBuffer: true,
      interruptsRaised: 2,
      interruptCount: 2,
      readValues: [1, 2],
      interruptsSeen: 2,
      missedByCount: 0,
      irqLineEnabled: true,
      unreadInterrupts: 0,
      processBCorrupted: false,
      iommuFaults: [],
      dmaErrors: 0,
      hangs: 0,
      undelivered: 0,
      killed: false,
    });
    expect(r.dmaWrites.map((w) => [w.busAddr, w.outcome, w.text])).toEqual([
      [0x2000, 'ok', 'temperature=21.5'],
      [0x2000, 'ok', 'temperature=22.0'],
    ]);
    // The trace is a list of model states with narration.
    expect(s.states.length).toBe(r.steps + 1);
    expect(s.states.some((x) => x.event?.narration.includes('uio_read puts A to sleep'))).toBe(false); // the device was faster than the reader
  });

  it('missed interrupts: a burst of chunks makes the count jump, and the loop sees it', () => {
    const s = createSession(keepEnabled);
    s.deviceDeliver('aaaabbbbccccdddd', 4);
    const out = irqLoop(s, 1);
    expect(out).toEqual({ data: ['aaaabbbbccccdddd'], missed: 3 });
    expect(s.report()).toMatchObject({ readValues: [4], missedByCount: 3, interruptsRaised: 4, interruptCount: 4, irqLineEnabled: true });
  });

  it('known-wrong: the CPU (virtual) address as the bus address: nothing arrives, the device reports errors', () => {
    const s = createSession();
    s.deviceDeliver('temperature=21.5');
    s.deviceDeliver('temperature=22.0');
    const out = irqLoop(s, 2, { useCpuAddress: true });
    expect(out.data).toEqual(['', '']);
    expect(s.report()).toMatchObject({ dataInBuffer: false, dmaErrors: 2, processBCorrupted: false });
    expect(s.report().dmaWrites.map((w) => w.outcome)).toEqual(['no-ram', 'no-ram']);
  });

  it('known-wrong: forgetting to re-enable: the second read has nothing to wake it and ends with EINTR', () => {
    const s = createSession();
    s.deviceDeliver('temperature=21.5');
    s.deviceDeliver('temperature=22.0');
    const out = irqLoop(s, 2, { noReenable: true });
    expect(out.data).toEqual(['temperature=21.5', 'error EINTR']);
    expect(s.report()).toMatchObject({ hangs: 1, irqLineEnabled: false, pendingAtEnd: true, interruptCount: 1, interruptsRaised: 2 });
    expect(s.states.some((x) => x.event?.narration.includes('held as pending'))).toBe(true);
  });

  it('genirq with a burst: extra interrupts are merged while the line is off; the replay leaves it off again', () => {
    const s = createSession();
    s.deviceDeliver('aaaabbbbcccc', 3);
    const out = irqLoop(s, 1, { len: 12 });
    expect(out).toEqual({ data: ['aaaabbbbcccc'], missed: 0 });
    expect(s.report()).toMatchObject({ interruptsRaised: 3, interruptCount: 2, mergedWhileDisabled: 1, readValues: [1], irqLineEnabled: false, unreadInterrupts: 1 });
  });

  it("when: 'sleep' makes read() really sleep, and the device's interrupt wakes it", () => {
    const s = createSession();
    s.deviceDeliver('late data', 1, { when: 'sleep' });
    const out = irqLoop(s, 1, { len: 9 });
    expect(out).toEqual({ data: ['late data'], missed: 0 });
    const n = s.states.map((x) => x.event?.narration ?? '');
    const slept = n.findIndex((x) => x.includes('uio_read puts A to sleep'));
    const woke = n.findIndex((x) => x.startsWith('Process A runs again inside uio_read'));
    expect(slept).toBeGreaterThan(0);
    expect(woke).toBeGreaterThan(slept);
    expect(s.states[slept].procs[0].blocked).not.toBeNull();
  });

  it("O_NONBLOCK with when: 'sleep': -EAGAIN first, then the data is there; poll agrees", () => {
    const s = createSession();
    const fd = s.open('/dev/uio0', O_RDWR | O_NONBLOCK);
    const regs = s.mmap(fd, 4096, 0) as UioMapping;
    s.deviceDeliver('x', 1, { when: 'sleep' });
    regs.writeRegister(REG.DMA_ADDR, 0x2000);
    regs.writeRegister(REG.DMA_LEN, 1);
    regs.writeRegister(REG.IRQ_ENABLE, 1);
    regs.writeRegister(REG.CTRL, CTRL_START);
    expect(s.read(fd, 4)).toEqual({ errno: 'EAGAIN' });
    expect(s.poll(fd)).toEqual({ value: POLLIN });
    expect(s.read(fd, 4)).toEqual({ value: 1 });
    expect(s.read(fd, 8)).toEqual({ errno: 'EINVAL' });
    expect(s.write(fd, 1, 3)).toEqual({ errno: 'EINVAL' });
    expect(s.write(fd, 1)).toEqual({ value: 4 });
    expect(regs.readRegister(REG.STATUS)).toBe(STATUS_DONE);
  });
});

describe('session calls', () => {
  it('open, close and mmap return what the system calls return', () => {
    const s = createSession();
    expect(s.open('/dev/uio1')).toBe(-2);
    expect(s.open('/dev/uio0')).toBe(3);
    expect(s.open('/dev/uio0')).toBe(4);
    expect(s.close(3)).toBe(0);
    expect(s.close(3)).toBe(-9);
    expect(s.open('/dev/uio0')).toBe(3);
    expect(s.mmap(3, 4096, 5 * 4096)).toEqual({ errno: 'EINVAL' });
    expect(s.mmap(7, 4096, 0)).toEqual({ errno: 'EBADF' });
    const m = s.mmap(3, 8192, 4096);
    expect(failed(m)).toBe(false);
    expect(m).toMatchObject({ addr: 0x7f0000100000, length: 8192, map: 1, kind: 'memory' });
  });

  it('mappings check their arguments with RangeError', () => {
    const s = createSession();
    const fd = s.open('/dev/uio0');
    const regs = s.mmap(fd, 4096, 0) as UioMapping;
    const buf = s.mmap(fd, 8192, 4096) as UioMapping;
    expect(() => regs.readRegister(0x04)).toThrow(RangeError);
    expect(() => regs.writeRegister(REG.DMA_LEN, 2 ** 32)).toThrow(RangeError);
    expect(() => regs.writeRegister(REG.DMA_ADDR, -1)).toThrow(RangeError);
    expect(() => regs.writeRegister(REG.DMA_ADDR, 0x7f0000200000n as unknown as number)).toThrow(RangeError);
    expect(() => regs.read(0, 4)).toThrow(RangeError);
    expect(() => buf.readRegister(REG.STATUS)).toThrow(RangeError);
    expect(() => buf.read(8190, 4)).toThrow(RangeError);
    expect(() => s.read(fd, 1.5)).toThrow(RangeError);
    expect(() => s.write(fd, 2 ** 32)).toThrow(RangeError);
    expect(() => s.deviceDeliver('', 1)).toThrow(RangeError);
    expect(() => s.deviceDeliver('x', 17)).toThrow(RangeError);
    expect(() => s.deviceDeliver('x', 1, { when: 'later' as 'sleep' })).toThrow(RangeError);
    expect(() => s.readSysfs('/sys/class/uio/uio0/maps/map7/addr')).toThrow(/ENOENT/);
    expect(regs.readRegister(REG.DMA_LEN)).toBe(0);
  });

  it('a 64-bit DMA_ADDR takes any address; a bus address beyond RAM fails with STATUS.ERR', () => {
    const s = createSession();
    const fd = s.open('/dev/uio0');
    const regs = s.mmap(fd, 4096, 0) as UioMapping;
    regs.writeRegister(REG.DMA_ADDR, 0x7f0000200000);
    expect(regs.readRegister(REG.DMA_ADDR)).toBe(0x7f0000200000);
    regs.writeRegister(REG.DMA_LEN, 4);
    regs.writeRegister(REG.CTRL, CTRL_START);
    s.deviceDeliver('data');
    expect(regs.readRegister(REG.STATUS)).toBe(STATUS_ERR);
    expect(s.report().dmaErrors).toBe(1);
  });

  it('the wrong bus address without an IOMMU corrupts process B; bystander reads show it', () => {
    const s = createSession();
    const fd = s.open('/dev/uio0');
    const regs = s.mmap(fd, 4096, 0) as UioMapping;
    expect(s.bystander({ op: 'read', page: 1 })).toBe('B: balance=1000');
    regs.writeRegister(REG.DMA_ADDR, 0x7000);
    regs.writeRegister(REG.DMA_LEN, 11);
    regs.writeRegister(REG.IRQ_ENABLE, 1);
    regs.writeRegister(REG.CTRL, CTRL_START);
    s.deviceDeliver('B: balance=');
    s.deviceDeliver('0');
    expect(s.read(fd, 4)).toEqual({ value: 1 });
    expect(s.bystander({ op: 'read', page: 1 })).toBe('B: balance=1000');
    s.write(fd, 1);
    regs.writeRegister(REG.DMA_ADDR, 0x700b);
    regs.writeRegister(REG.DMA_LEN, 1);
    regs.writeRegister(REG.CTRL, CTRL_START);
    expect(s.read(fd, 4)).toEqual({ value: 2 });
    expect(s.bystander({ op: 'read', page: 1 })).toBe('B: balance=0000');
    const r = s.report();
    expect(r.processBCorrupted).toBe(true);
    expect(r.strayWrites).toEqual([
      { pfn: 7, owner: 'B', step: r.dmaWrites[0].step },
      { pfn: 7, owner: 'B', step: r.dmaWrites[1].step },
    ]);
    expect(s.state.procs[1].reads.map((x) => x.corrupted)).toEqual([false, true, true]);
  });

  it('VFIO: map the user buffer, program the IOVA, poll STATUS; a wrong IOVA faults and corrupts nothing', () => {
    const s = createSession({ iommu: 'vfio' });
    expect(s.open('/dev/uio0')).toBe(-2);
    const fd = s.open(VFIO_PATH);
    expect(fd).toBe(3);
    expect(s.vfioMapDma(s.userBuffer.addr, 0x100000, s.userBuffer.length)).toBe(0);
    expect(s.vfioMapDma(s.userBuffer.addr, 0x100000, 4096)).toBe(-17);
    const bar = s.mmap(fd, 4096, 0) as UioMapping;
    expect(bar.map).toBeNull();
    expect(s.read(fd, 4)).toEqual({ errno: 'EINVAL' });
    s.deviceDeliver('vfio data');
    s.deviceDeliver('more data');
    bar.writeRegister(REG.DMA_ADDR, 0x7000);
    bar.writeRegister(REG.DMA_LEN, 9);
    bar.writeRegister(REG.IRQ_ENABLE, 1);
    bar.writeRegister(REG.CTRL, CTRL_START);
    expect(bar.readRegister(REG.STATUS)).toBe(STATUS_ERR);
    bar.writeRegister(REG.DMA_ADDR, 0x100000);
    bar.writeRegister(REG.CTRL, CTRL_START);
    expect(bar.readRegister(REG.STATUS)).toBe(STATUS_DONE);
    expect(s.userBuffer.readString(0, 9)).toBe('more data');
    const r = s.report();
    expect(r).toMatchObject({ processBCorrupted: false, strayWrites: [], dmaErrors: 1, interruptCount: null, irqLineEnabled: null, interruptsRaised: 2 });
    expect(r.iommuFaults).toEqual([{ step: r.dmaWrites[0].step, iova: 0x7000, access: 'write', reason: 'not-mapped' }]);
    expect(s.bystander({ op: 'read', page: 1 })).toBe('B: balance=1000');
    expect(USER_BUFFER_VA).toBe(s.userBuffer.addr);
  });

  it('mappings keep accesses inside them; a process killed by a stray store can make no more calls', () => {
    const s = createSession();
    s.open('/dev/uio0');
    const m = s.mmap(3, 8192, 4096) as UioMapping;
    expect(() => m.read(8192, 1)).toThrow(RangeError);
    expect(s.report().killed).toBe(false);
    // A stray pointer (only possible below the session's API): the model kills A with SIGSEGV.
    const dead = stepUserOp(s.state, { op: 'mmio-write', va: 0x1000, value: 1 }).state;
    const after = createSession(dead);
    expect(after.report().killed).toBe(true);
    expect(() => after.read(3, 4)).toThrow(/killed by SIGSEGV/);
  });

  it('a polling loop without end is stopped by maxSteps', () => {
    const s = createSession({}, { maxSteps: 50 });
    const fd = s.open('/dev/uio0', O_RDWR | O_NONBLOCK);
    expect(() => {
      for (;;) s.read(fd, 4);
    }).toThrow(/more than 50 steps/);
  });

  it('a session can start from a preset state, and its states replay in the model', () => {
    const s = createSession();
    const fd = s.open('/dev/uio0');
    expect(fd).toBe(3);
    const again = createSession(s.state);
    expect(again.open('/dev/uio0')).toBe(4);
    // Sessions never touch module-level state: two sessions side by side are independent.
    expect(s.state.procs[0].files.length).toBe(1);
    expect(() => createSession({ frames: 3 })).toThrow(RangeError);
    expect(() => createSession({}, { maxSteps: 0 })).toThrow(RangeError);
    expect(replay(uioModel, s.state.params, 0, []).length).toBe(1);
  });
});
