/**
 * Process A's other operations (MMIO to the registers, loads, sysfs reads, VFIO_IOMMU_MAP_DMA),
 * one whole operation as one step, and A's wake-up from read().
 * Part of the UIO model (`model.ts`).
 */
import { CTRL_START, DEVICE_MAX_LEN, PAGE_SIZE, REG_WIDTH, STATUS_DONE, STATUS_ERR, SYSFS_UIO, hex, hex64, type Errno } from './constants.ts';
import type { KernelSource } from '../core/model.ts';
import type { OpenFile, ProcA, UioDriver, UioState, UserOp } from './types.ts';
import { fail, killA, memLoad, memStore, ok, opLabel, raiseInterrupt, readReg, regAt, regBytes, statusText, vmaAt, type Outcome, type Ret } from './calls.ts';
import { SRC, bytesText, draft, leBytes, leValue, pfnsText } from './common.ts';
import { plural } from '../core/text.ts';
import type { StepOut } from './calls.ts';
import { doClose, doMmap, doOpen, doPoll, doRead, doWrite, finishRead, jumpText, uioFile } from './file-ops.ts';
function startTransfer(s: UioState): string {
  const d = s.device;
  if (d.transfer) return 'the device is busy, so it ignores START';
  d.regs.STATUS &= ~(STATUS_DONE | STATUS_ERR);
  const len = d.regs.DMA_LEN;
  if (len === 0 || len > DEVICE_MAX_LEN) {
    d.regs.STATUS |= STATUS_ERR;
    d.errors += 1;
    const irq = raiseInterrupt(s);
    return `DMA_LEN ${len} is not 1..${DEVICE_MAX_LEN}, so the device sets STATUS.ERR; ${irq.narration}`;
  }
  d.transfer = { busAddr: d.regs.DMA_ADDR, len, written: 0, chunksDone: 0 };
  const space = s.params.iommu === 'off' ? 'bus address = physical address, no IOMMU' : 'an IOVA, translated by the IOMMU';
  return `the device arms a ${len}-byte DMA to bus address ${hex(d.regs.DMA_ADDR)} (${space}) and sets BUSY; it writes when data arrives`;
}

function doMmio(s: UioState, op: Extract<UserOp, { op: 'mmio-read' | 'mmio-write' }>): Outcome & Ret {
  const a = s.procs[0];
  const write = op.op === 'mmio-write';
  const v0 = vmaAt(a, op.va, 1);
  if (!v0) return { ...fail('EFAULT'), ...killA(s, op.va, write ? 'stores to' : 'loads from') };
  if (v0.target === 'memory') {
    const v = vmaAt(a, op.va, 4);
    if (!v) return { ...fail('EFAULT'), ...killA(s, op.va + 4, write ? 'stores past the end of its mapping at' : 'loads past the end of its mapping at') };
    if (write) {
      memStore(s, v, op.va, leBytes(op.value % 2 ** 32, 4));
      return { ...ok(null), narration: `Process A stores the 32-bit value ${hex(op.value % 2 ** 32)} to ${hex(op.va)}, plain memory (${v.kind === 'anon' ? 'its own buffer' : `map ${v.mapIndex}`}).`, source: null };
    }
    const val = leValue(memLoad(s, v, op.va, 4));
    return { ...ok(val), narration: `Process A loads the 32-bit value ${hex(val)} from ${hex(op.va)}, plain memory (${v.kind === 'anon' ? 'its own buffer' : `map ${v.mapIndex}`}).`, source: null };
  }
  const offset = op.va - v0.start;
  const r = regAt(offset);
  const where = `BAR0 + ${hex(offset)}`;
  if (!r || !vmaAt(a, op.va, REG_WIDTH[r])) {
    if (write) return { ...ok(null), narration: `Process A stores ${hex(op.value)} to ${where}: no register starts there, so the device ignores it.`, source: null };
    return { ...ok(0), narration: `Process A loads from ${where}: no register starts there, so the device returns 0.`, source: null };
  }
  if (!write) {
    const val = readReg(s, r);
    const extra = r === 'STATUS' ? ` (${statusText(val)})` : '';
    return { ...ok(val), narration: `Process A loads ${r} (${where}) through its uncached mapping, no system call: ${hex(val)}${extra}.`, source: null };
  }
  const regs = s.device.regs;
  const width = REG_WIDTH[r];
  const value = width === 4 ? op.value % 2 ** 32 : op.value;
  const head = `Process A stores ${hex(value)} to ${r} (${where}) through its uncached mapping, no system call`;
  switch (r) {
    case 'DMA_ADDR':
    case 'DMA_LEN':
    case 'IRQ_ENABLE':
      regs[r] = value;
      return { ...ok(null), narration: `${head}.`, source: null };
    case 'STATUS': {
      const before = readReg(s, 'STATUS');
      regs.STATUS &= ~(value & (STATUS_DONE | STATUS_ERR));
      return { ...ok(null), narration: `${head}: DONE and ERR are write-1-to-clear, so STATUS goes from ${statusText(before)} to ${statusText(readReg(s, 'STATUS'))}.`, source: null };
    }
    case 'CTRL': {
      if (!(value & CTRL_START)) return { ...ok(null), narration: `${head}: START is not set, so nothing happens.`, source: null };
      const what = startTransfer(s);
      return { ...ok(null), narration: `${head}: ${what}.`, source: null };
    }
  }
}

function doLoad(s: UioState, op: Extract<UserOp, { op: 'load' }>): Outcome & Ret {
  const a = s.procs[0];
  const v = vmaAt(a, op.va, op.length);
  if (!v) {
    const first = vmaAt(a, op.va, 1) ? op.va + op.length - 1 : op.va;
    return { ...fail('EFAULT'), ...killA(s, first, 'loads from') };
  }
  const bytes = v.target === 'regs' ? regBytes(s, op.va - v.start, op.length) : memLoad(s, v, op.va, op.length);
  const text = bytesText(bytes, 64);
  const where = v.kind === 'anon' ? 'its own buffer' : v.target === 'regs' ? 'the registers' : `map ${v.mapIndex}${v.pfns.length ? ` (${pfnsText(v.pfns)})` : ''}`;
  const shown = bytes.every((x) => x === 0) ? 'only zeroes' : `"${text}"`;
  return { ...ok(null, text), bytes, narration: `Process A reads ${plural(op.length, 'byte')} at ${hex(op.va)}, ${where}: ${shown}.`, source: null };
}

function doSysfs(s: UioState, op: Extract<UserOp, { op: 'sysfs' }>): Outcome & Ret {
  const r = sysfsRead(s, op.path);
  if (r.errno) return { ...fail(r.errno), narration: `Process A reads ${op.path}: -${r.errno}, ${r.why}.`, source: null };
  return { ...ok(null, r.text), narration: `Process A reads ${op.path}: "${(r.text as string).trim()}"${r.why ? `, ${r.why}` : ''}.`, source: r.source };
}

/**
 * What reading sysfs attribute `path` gives: `/sys/class/uio/uio0/{name,version,event}`,
 * `/sys/class/uio/uio0/maps/mapN/{name,addr,size,offset}` (text with a trailing newline, as
 * the kernel prints it), or an errno (ENOENT) with the reason.
 */
export function sysfsRead(s: UioState, path: string): { text: string | null; errno: Errno | null; why: string; source: KernelSource | null } {
  const none = (why: string) => ({ text: null, errno: 'ENOENT' as Errno, why, source: null });
  const u = s.uio;
  if (!path.startsWith(SYSFS_UIO + '/')) return none('no such file');
  if (!u) return none('there is no uio0: the device is bound to vfio-pci');
  const rest = path.slice(SYSFS_UIO.length + 1);
  if (rest === 'name') return { text: `${u.name}\n`, errno: null, why: '', source: null };
  if (rest === 'version') return { text: `${u.version}\n`, errno: null, why: '', source: null };
  if (rest === 'event') return { text: `${u.event >>> 0}\n`, errno: null, why: 'the total interrupt count', source: SRC.eventShow };
  const m = /^maps\/map(\d)\/(name|addr|size|offset)$/.exec(rest);
  if (!m) return none('no such file');
  const map = u.maps[Number(m[1])];
  if (!map) return none(`the driver has no map ${m[1]}`);
  switch (m[2]) {
    case 'name':
      return { text: `${map.name}\n`, errno: null, why: '', source: null };
    case 'size':
      return { text: `${hex64(map.size)}\n`, errno: null, why: '', source: null };
    case 'offset':
      return { text: `${hex(map.offs)}\n`, errno: null, why: '', source: null };
    default: {
      let why = '';
      if (!map.allocated) why = 'DMEM_MAP_ERROR: the dynamic region exists only while someone has the device open';
      else if (map.backing === 'bar') why = 'the physical address of BAR0';
      else if (map.backing === 'dma' && map.memtype === 'PHYS') why = `the DMA handle, the bus address to give the device (${pfnsText(map.pfns)})`;
      else if (map.backing === 'dma') why = `for UIO_MEM_DMA_COHERENT mem->addr is the CPU (kernel virtual) address; the bus address ${hex(map.dmaAddr as number)} is not in sysfs`;
      else why = 'a kernel virtual address, useless to the device';
      return { text: `${map.addrHex}\n`, errno: null, why, source: SRC.mapAddrShow };
    }
  }
}

function doMapDma(s: UioState, op: Extract<UserOp, { op: 'map-dma' }>): Outcome & Ret {
  const a = s.procs[0];
  const head = `Process A calls VFIO_IOMMU_MAP_DMA(vaddr ${hex(op.vaddr)}, iova ${hex(op.iova)}, size ${hex(op.length)}) (IOMMU_IOAS_MAP with iommufd)`;
  if (s.params.iommu !== 'vfio' || !a.files.some((f) => f.kind === 'vfio')) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, A has no VFIO container or device open.`, source: null };
  if (op.length === 0 || op.length % PAGE_SIZE || op.vaddr % PAGE_SIZE || op.iova % PAGE_SIZE) {
    return { ...fail('EINVAL'), narration: `${head}: -EINVAL, vaddr, iova and size must be page aligned and the size non-zero.`, source: SRC.vfioDmaDoMap };
  }
  const v = vmaAt(a, op.vaddr, op.length);
  if (!v || v.kind !== 'anon') return { ...fail('EFAULT'), narration: `${head}: the range is not all in A's own memory, so pinning fails: -EFAULT.`, source: SRC.vfioDmaDoMap };
  const pages = op.length / PAGE_SIZE;
  const iovas = Array.from({ length: pages }, (_, i) => op.iova + i * PAGE_SIZE);
  if (s.iommu.mappings.some((m) => iovas.includes(m.iova))) return { ...fail('EEXIST'), narration: `${head}: part of that IOVA range is already mapped: -EEXIST.`, source: SRC.vfioDmaDoMap };
  const first = (op.vaddr - v.start) / PAGE_SIZE;
  const pfns = v.pfns.slice(first, first + pages);
  pfns.forEach((pfn, i) => {
    s.frames[pfn].pinned = true;
    s.iommu.mappings.push({ iova: iovas[i], pfn, read: true, write: true });
  });
  s.iommu.mappings.sort((x, y) => x.iova - y.iova);
  return {
    ...ok(0),
    narration: `${head}: VFIO pins A's ${plural(pages, 'page')} (${pfnsText(pfns)}) and maps IOVA ${hex(op.iova)}-${hex(op.iova + op.length - 1)} to them in the device's IOMMU domain; the device can reach nothing else.`,
    source: SRC.vfioDmaDoMap,
  };
}

/** Applies one op of process A to draft `s`; returns narration, source and the result. Exported for sessions. */
export function applyUserOp(s: UioState, op: UserOp): Outcome & Ret {
  switch (op.op) {
    case 'open':
      return doOpen(s, op);
    case 'close':
      return doClose(s, op);
    case 'mmap':
      return doMmap(s, op);
    case 'read':
      return doRead(s, op);
    case 'write':
      return doWrite(s, op);
    case 'poll':
      return doPoll(s, op);
    case 'mmio-read':
    case 'mmio-write':
      return doMmio(s, op);
    case 'load':
      return doLoad(s, op);
    case 'sysfs':
      return doSysfs(s, op);
    case 'map-dma':
      return doMapDma(s, op);
  }
}

function recordResult(s: UioState, call: string, r: Ret): void {
  s.procs[0].results.push({ step: s.stepIndex + 1, call, ret: r.ret, errno: r.errno ? `-${r.errno}` : null, text: r.text });
}

export function stepA(s0: UioState, op: UserOp): { out: StepOut; ret: Ret } {
  const s = draft(s0);
  s.procs[0].pc += 1;
  const r = applyUserOp(s, op);
  if (!s.procs[0].blocked || r.errno) recordResult(s, opLabel(op), r);
  const ret: Ret = { ret: r.ret, errno: r.errno, text: r.text };
  if (r.bytes) ret.bytes = r.bytes;
  return { out: { state: s, narration: r.narration, source: r.source, actor: 'A' }, ret };
}

export function wakeA(s0: UioState): StepOut {
  const s = draft(s0);
  const a = s.procs[0];
  const b = a.blocked as NonNullable<ProcA['blocked']>;
  const f = uioFile(s, b.fd) as OpenFile;
  const u = s.uio as UioDriver;
  a.blocked = null;
  u.waitQueue = u.waitQueue.filter((x) => x !== 'A');
  const prev = f.eventCount as number;
  const { value, jump } = finishRead(s, f, b.fd);
  recordResult(s, `read(${b.fd}, &count, 4)`, ok(value));
  return {
    state: s,
    narration: `Process A runs again inside uio_read: the count is ${value}, ${jumpText(prev, value, jump)}; read returns 4 bytes holding ${value}.`,
    source: SRC.uioRead,
    actor: 'A',
  };
}

export function signalA(s0: UioState): StepOut {
  const s = draft(s0);
  const a = s.procs[0];
  const b = a.blocked as NonNullable<ProcA['blocked']>;
  a.blocked = null;
  if (s.uio) s.uio.waitQueue = s.uio.waitQueue.filter((x) => x !== 'A');
  recordResult(s, `read(${b.fd}, &count, 4)`, fail('EINTR'));
  return {
    state: s,
    narration: 'A signal reaches process A asleep in read(): uio_read returns -ERESTARTSYS, and with no restart the call fails with -EINTR.',
    source: SRC.uioRead,
    actor: 'A',
  };
}
