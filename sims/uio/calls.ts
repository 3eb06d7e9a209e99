/**
 * What process A's calls share: return values and errnos, file descriptors, the device's
 * registers, loads and stores through a mapping, and the interrupt handler with its count
 * (`uio_event_notify`). Part of the UIO model (`model.ts`).
 */
import { IRQ_ENABLE_DONE, O_NONBLOCK, PAGE_SIZE, REG, REG_NAMES, REG_WIDTH, STATUS_BUSY, STATUS_DONE, STATUS_ERR, hex, type Errno, type RegName } from './constants.ts';
import type { KernelSource } from '../core/model.ts';
import type { OpenFile, ProcA, UioDriver, UioState, UserOp, Vma } from './types.ts';
import { SRC, leBytes, readFrame, writeFrame } from './common.ts';
// ---------------------------------------------------------------------------------------
// Process A.

export interface Outcome {
  narration: string;
  source: KernelSource | null;
}

/** What one op of A returned: `OpResult` fields, plus the bytes of a load (not kept in the state). */
export interface Ret {
  ret: number | null;
  errno: Errno | null;
  text: string | null;
  bytes?: number[];
}

export function fail(e: Errno): Ret {
  return { ret: null, errno: e, text: null };
}
export function ok(ret: number | null, text: string | null = null): Ret {
  return { ret, errno: null, text };
}

/** `open("/dev/uio0", O_RDWR|O_NONBLOCK)`-style label of an op. */
export function opLabel(op: UserOp): string {
  switch (op.op) {
    case 'open': {
      const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_RDWR'][op.flags & 3];
      return `open("${op.path}", ${acc}${op.flags & O_NONBLOCK ? '|O_NONBLOCK' : ''})`;
    }
    case 'close':
      return `close(${op.fd})`;
    case 'mmap':
      return `mmap(NULL, ${op.length}, PROT_READ|PROT_WRITE, MAP_SHARED, ${op.fd}, ${hex(op.offset)})`;
    case 'read':
      return `read(${op.fd}, &count, ${op.count})`;
    case 'write':
      return `write(${op.fd}, &(s32){${op.value | 0}}, ${op.count})`;
    case 'poll':
      return `poll({fd ${op.fd}, POLLIN}, 1, 0)`;
    case 'mmio-read':
      return `load from ${hex(op.va)}`;
    case 'mmio-write':
      return `store ${hex(op.value)} to ${hex(op.va)}`;
    case 'load':
      return `read ${op.length} bytes at ${hex(op.va)}`;
    case 'sysfs':
      return `cat ${op.path}`;
    case 'map-dma':
      return `VFIO_IOMMU_MAP_DMA(vaddr ${hex(op.vaddr)}, iova ${hex(op.iova)}, size ${hex(op.length)})`;
  }
}

export function fileByFd(a: ProcA, fd: number): OpenFile | undefined {
  return a.files.find((f) => f.fd === fd);
}

export function lowestFreeFd(a: ProcA): number {
  for (let fd = 3; ; fd++) if (!a.files.some((f) => f.fd === fd)) return fd;
}

export function vmaAt(a: ProcA, va: number, len: number): Vma | null {
  return a.vmas.find((v) => va >= v.start && va + len <= v.end) ?? null;
}

/** The register at BAR0 + `offset`, if one starts exactly there. */
export function regAt(offset: number): RegName | null {
  return REG_NAMES.find((r) => REG[r] === offset) ?? null;
}

/** The value a read of register `r` returns (STATUS includes BUSY; CTRL reads 0). */
export function readReg(s: UioState, r: RegName): number {
  const regs = s.device.regs;
  if (r === 'STATUS') return (regs.STATUS & ~STATUS_BUSY) | (s.device.transfer ? STATUS_BUSY : 0);
  if (r === 'CTRL') return 0;
  return regs[r];
}

export function statusText(st: number): string {
  const bits: string[] = [];
  if (st & STATUS_DONE) bits.push('DONE');
  if (st & STATUS_ERR) bits.push('ERR');
  if (st & STATUS_BUSY) bits.push('BUSY');
  return bits.length ? bits.join('|') : '0';
}

/** Bytes of the register block as a CPU byte load would see them (little-endian). */
export function regBytes(s: UioState, offset: number, length: number): number[] {
  const block: number[] = new Array(0x20).fill(0);
  for (const r of REG_NAMES) leBytes(readReg(s, r), REG_WIDTH[r]).forEach((b, i) => (block[REG[r] + i] = b));
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(block[offset + i] ?? 0);
  return out;
}

/** Bytes a CPU load of `length` bytes at `va` in memory-vma `v` returns. */
export function memLoad(s: UioState, v: Vma, va: number, length: number): number[] {
  const out: number[] = [];
  let off = va - v.start;
  let left = length;
  while (left > 0) {
    const page = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(left, PAGE_SIZE - inPage);
    out.push(...readFrame(s.frames[v.pfns[page]], inPage, n));
    off += n;
    left -= n;
  }
  return out;
}

export function memStore(s: UioState, v: Vma, va: number, data: readonly number[]): void {
  let off = va - v.start;
  let i = 0;
  while (i < data.length) {
    const page = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(data.length - i, PAGE_SIZE - inPage);
    writeFrame(s.frames[v.pfns[page]], inPage, data.slice(i, i + n));
    off += n;
    i += n;
  }
}

export function killA(s: UioState, va: number, what: string): Outcome {
  s.procs[0].status = 'killed';
  return {
    narration: `Process A ${what} ${hex(va)}, where nothing is mapped: the MMU faults and the kernel kills A with SIGSEGV.`,
    source: null,
  };
}

/** The handler runs for one interrupt: the count goes up (waking a sleeping reader); genirq disables the line. */
export function runHandler(s: UioState): string {
  const u = s.uio as UioDriver;
  const wasWoken = aWoken(s);
  u.irqState.handled += 1;
  u.event = (u.event + 1) | 0;
  const off = u.irqHandler === 'genirq';
  if (off) u.irqState.line = 'disabled';
  const wake = aWoken(s) ? (wasWoken ? ' (A is already awake but has not run yet)' : ' and wakes process A') : '';
  return `${off ? 'the handler disables the line (disable_irq_nosync) and ' : ''}uio_event_notify raises the count to ${u.event}${wake}`;
}

/** The device sends one interrupt; returns what happened, in words, and the source to cite. */
export function raiseInterrupt(s: UioState): Outcome {
  if (!(s.device.regs.IRQ_ENABLE & IRQ_ENABLE_DONE)) return { narration: 'IRQ_ENABLE is 0, so the device sends no interrupt', source: null };
  s.device.interruptsRaised += 1;
  const u = s.uio;
  if (!u) return { narration: 'its MSI would go to an eventfd set with VFIO_DEVICE_SET_IRQS (not modelled)', source: null };
  if (!u.irq) return { narration: 'but the driver registered no interrupt, so nothing counts it', source: null };
  if (u.irqState.line === 'enabled') return { narration: `it interrupts: ${runHandler(s)}`, source: SRC.uioEventNotify };
  if (!u.irqState.pending) {
    u.irqState.pending = true;
    return { narration: 'it interrupts, but the line is disabled, so the interrupt is held as pending (IRQS_PENDING) and the count stays at ' + u.event, source: SRC.handleEdgeIrq };
  }
  u.irqState.merged += 1;
  return {
    narration: `it interrupts, but the line is disabled and one interrupt is already pending, so this one is lost: the count (${u.event}) will never show it`,
    source: SRC.handleEdgeIrq,
  };
}

export function irqcontrolSource(u: UioDriver): KernelSource {
  if (u.irqHandler !== 'genirq') return SRC.uioWrite;
  return u.maps.some((m) => m.dynamic) ? SRC.dmemIrqcontrol : SRC.pdrvIrqcontrol;
}

/** What one step did: the next state, its narration and source, and who acted. */
export interface StepOut extends Outcome {
  state: UioState;
  actor: string;
}

/** True when A is asleep in read() and the count has moved since its file last saw it. */
export function aWoken(s: UioState): boolean {
  const a = s.procs[0];
  if (!a.blocked || !s.uio) return false;
  const f = fileByFd(a, a.blocked.fd);
  return !!f && f.eventCount !== s.uio.event;
}
