/**
 * A session: the UIO model driven by direct calls, the way a user-space driver calls the
 * kernel. Exercise `uio-irq-loop` hands the learner a `UioSession` and asks for the classic
 * loop; the grader schedules what the device receives and then reads `report()`.
 *
 *     const s = createSession();                       // the presets' machine, no IOMMU
 *     s.deviceDeliver('temperature=21.5', 1);          // grader: what the device will receive
 *     const fd = s.open('/dev/uio0', O_RDWR);          // 3
 *     const regs = s.mmap(fd, 4096, 0 * 4096);         // map 0: the registers
 *     const buf = s.mmap(fd, 8192, 1 * 4096);          // map 1: the DMA buffer
 *     const bus = Number(s.readSysfs('/sys/class/uio/uio0/maps/map1/addr'));
 *     regs.writeRegister(REG.DMA_ADDR, bus);           // the bus address, not buf.addr
 *     regs.writeRegister(REG.DMA_LEN, 16);
 *     regs.writeRegister(REG.IRQ_ENABLE, IRQ_ENABLE_DONE);
 *     regs.writeRegister(REG.CTRL, CTRL_START);
 *     const r = s.read(fd, 4);                         // { value: 1 }: sleeps until the interrupt
 *     s.write(fd, 1);                                  // irqcontrol: re-enable the line
 *     buf.readString(0, 16);                           // 'temperature=21.5'
 *
 * Timing, so a synchronous program can be graded: the device is faster than the CPU. Data
 * scheduled with `deviceDeliver` is written (all its chunks, each with its interrupt) as soon
 * as a transfer is armed and the program next makes a call (`when: 'armed'`, the default), or
 * only once the program would wait for it (`when: 'sleep'`: a read() that would sleep, a
 * read() that returns -EAGAIN, a poll() that finds nothing). A blocking read() that nothing
 * can wake any more does not hang the grader: a signal ends it with -EINTR and `report().hangs`
 * counts it.
 *
 * Every call is one or more model steps; the session keeps the list of states (a player can
 * show the trace), each with its narration and kernel source. Errors follow the kernel:
 * system calls return errno names (`{ errno: 'EINVAL' }`) or negative numbers (`open`,
 * `close`, `vfioMapDma`); malformed arguments (not integers, out of range, a register offset
 * that names no register) throw `RangeError`. Pure model underneath; the session object holds
 * the current state (one per session, no module-level state).
 */
import { ERRNO, O_RDWR, PAGE_SIZE, REG, REG_NAMES, REG_WIDTH, SYSFS_UIO, UIO_PATH, USER_BUFFER_VA, hex } from './constants.ts';
import type { Errno, RegName } from './constants.ts';
import { aWoken, bytesText, initialState, stepUnchecked, stepUserOp, sysfsRead, toBytes, validateDelivery } from './model.ts';
import type { Ret } from './model.ts';
import { baseParams } from './presets.ts';
import type { BystanderOp, DmaWrite, IommuFault, UioParams, UioState, UserOp } from './types.ts';

/** A system call's result: its value, or the errno it failed with. */
export type SysResult<T = number> = { value: T } | { errno: Errno };

/** True when `r` (a `SysResult` or what `mmap` returned) is a failure. */
export function failed(r: object): r is { errno: Errno } {
  return r !== null && 'errno' in r;
}

/** A mapping returned by `mmap`: the registers (map 0, or BAR0 under VFIO) or memory (the DMA buffer, a kernel page). */
export interface UioMapping {
  /** User virtual address of the mapping (page aligned). NOT a bus address: the device cannot use it. */
  readonly addr: number;
  /** Length in bytes (whole pages). */
  readonly length: number;
  /** The UIO map index (`offset / 4096`), or null for a VFIO BAR. */
  readonly map: number | null;
  /** What the CPU reaches through it. */
  readonly kind: 'regs' | 'memory';
  /**
   * MMIO load of the register at byte `offset` in BAR0 (`REG.DMA_ADDR` 0x00 is 64-bit,
   * `REG.DMA_LEN` 0x08, `REG.CTRL` 0x0c, `REG.STATUS` 0x10, `REG.IRQ_ENABLE` 0x14 are 32-bit).
   * Throws `RangeError` if no register starts at `offset` or this is not a register mapping.
   */
  readRegister(offset: number): number;
  /**
   * MMIO store. Values: DMA_ADDR 0 .. 2^53-1, others 0 .. 0xffffffff (`RangeError` otherwise).
   * CTRL_START arms a transfer; STATUS bits DONE and ERR are write-1-to-clear.
   */
  writeRegister(offset: number, value: number): void;
  /** CPU loads of `length` bytes (1 .. 4096) at byte `offset` in a memory mapping; `RangeError` outside it. */
  read(offset: number, length: number): number[];
  /** `read`, as text: printable ASCII, others '.', trailing zero bytes dropped. */
  readString(offset: number, length: number): string;
}

/** What a grader learns after the program ran. */
export interface UioReport {
  /** Every chunk the device wrote or tried to write, in order (`DmaWrite`: bus address, outcome, frames). */
  dmaWrites: DmaWrite[];
  /** Every chunk landed in the DMA buffer (UIO) or in A's IOMMU-mapped pages (VFIO), and at least one was written. */
  dataInBuffer: boolean;
  /** Interrupts the device sent. */
  interruptsRaised: number;
  /** The UIO interrupt count (what read() returns), or null under VFIO. */
  interruptCount: number | null;
  /** The values read() returned to A, in order. */
  readValues: number[];
  /** Interrupts A's reads accounted for: the sum of the jumps. */
  interruptsSeen: number;
  /** Σ (jump - 1) over A's reads: interrupts that came and went between two reads. */
  missedByCount: number;
  /** Interrupts lost while the line was disabled and one was already pending (never counted). */
  mergedWhileDisabled: number;
  /** An interrupt is held pending behind a disabled line. */
  pendingAtEnd: boolean;
  /** The interrupt line is enabled at the end (null under VFIO). With a genirq handler, a write(fd, 1) that replays a
   *  pending interrupt leaves it disabled again, with the count one ahead of what A read (`unreadInterrupts`). */
  irqLineEnabled: boolean | null;
  /** Counted interrupts no read() of A has returned: the count minus the highest value A's reads returned or its open uio files saw at open (0 under VFIO). */
  unreadInterrupts: number;
  /** The device wrote into a page of process B. */
  processBCorrupted: boolean;
  /** Frames the device wrote that were not meant for it: pfn, owner then, step. */
  strayWrites: { pfn: number; owner: string; step: number }[];
  iommuFaults: IommuFault[];
  /** Transfers that ended with STATUS.ERR (bad length, no RAM, IOMMU fault). */
  dmaErrors: number;
  /** Blocking reads nothing could wake (ended by a signal with -EINTR). */
  hangs: number;
  /** Deliveries never written (no transfer was armed for them). */
  undelivered: number;
  /** Process A was killed (SIGSEGV). */
  killed: boolean;
  /** Steps taken. */
  steps: number;
}

/** Options of `deviceDeliver`. */
export interface DeliverOptions {
  /** 'armed' (default): written as soon as a transfer is armed; 'sleep': only once the program waits for it. */
  when?: 'armed' | 'sleep';
}

/** A session: process A's system calls, and hooks for the grader. */
export interface UioSession {
  /** The current state. */
  readonly state: UioState;
  /** Every state so far, the initial one first. */
  readonly states: readonly UioState[];
  /** Process A's own buffer (its malloc): where VFIO_IOMMU_MAP_DMA can map, and what a VFIO program reads back. */
  readonly userBuffer: { readonly addr: number; readonly length: number; read(offset: number, length: number): number[]; readString(offset: number, length: number): string };
  /** open(2): the lowest free fd (from 3), or a negative errno (-ENOENT). `flags`: O_RDWR (default), `| O_NONBLOCK`. */
  open(path: string, flags?: number): number;
  /** close(2): 0 or -EBADF. */
  close(fd: number): number;
  /** mmap(2) of `length` bytes at `offset` (map N at N * 4096): a mapping, or the errno. */
  mmap(fd: number, length: number, offset: number): UioMapping | { errno: Errno };
  /** read(2) of `count` bytes: `{ value }` is the s32 interrupt count; blocks (see the timing rules above). */
  read(fd: number, count: number): SysResult;
  /** write(2) of the s32 `value` (`count` default 4): `{ value: 4 }` after irqcontrol, or the errno. */
  write(fd: number, value: number, count?: number): SysResult;
  /** poll(2) for POLLIN with timeout 0: `{ value: revents }`. */
  poll(fd: number): SysResult;
  /** Reads a sysfs attribute (`/sys/class/uio/uio0/maps/map1/addr` etc.): the text with its newline. Throws `Error` (ENOENT) for a missing one. */
  readSysfs(path: string): string;
  /** VFIO_IOMMU_MAP_DMA: pin A's `[vaddr, vaddr + length)` and map it at `iova`: 0 or a negative errno. */
  vfioMapDma(vaddr: number, iova: number, length: number): number;
  /** Grader: the device will receive `data` (a string of char codes 0..255, or bytes) and write it in `nInterrupts` chunks, interrupting after each. */
  deviceDeliver(data: string | readonly number[] | Uint8Array, nInterrupts?: number, options?: DeliverOptions): void;
  /** Grader: process B runs `op` (reads, writes or allocates a page of its own); returns what a read found. */
  bystander(op: BystanderOp): string | null;
  /** What happened, for grading. */
  report(): UioReport;
}

/** Options of `createSession`. */
export interface SessionOptions {
  /** Most steps before the session throws (a runaway polling loop); default 20000. */
  maxSteps?: number;
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

function needInt(fn: string, name: string, v: unknown, min: number, max: number): void {
  if (!isInt(v) || v < min || v > max) throw new RangeError(`${fn}: ${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
}

/**
 * Creates a session on `params` (merged over the presets' machine, `baseParams()`; scripts in
 * `programA` are not run, `deliveries` wait at the device's input) or on an existing state.
 * Throws `RangeError` on bad params.
 */
export function createSession(from: Partial<UioParams> | UioState = {}, options: SessionOptions = {}): UioSession {
  const start: UioState = 'procs' in from ? (from as UioState) : initialState(baseParams(from as Partial<UioParams>));
  const maxSteps = options.maxSteps ?? 20000;
  needInt('createSession', 'maxSteps', maxSteps, 1, 1_000_000);
  const states: UioState[] = [start];
  const pending: { data: number[]; chunks: number; when: 'armed' | 'sleep' }[] = [];
  let hangs = 0;
  const cur = (): UioState => states[states.length - 1];

  const push = (s: UioState): void => {
    if (states.length > maxSteps) throw new Error(`uio session: more than ${maxSteps} steps; is the program looping (polling without end)?`);
    states.push(s);
  };

  const alive = (fn: string): void => {
    const a = cur().procs[0];
    if (a.status !== 'running') throw new Error(`${fn}: process A was killed by SIGSEGV (step ${a.results[a.results.length - 1]?.step ?? '?'}) and cannot make calls`);
  };

  /** Runs A's op, returns what it returned. */
  const run = (fn: string, op: UserOp): Ret => {
    alive(fn);
    const r = stepUserOp(cur(), op);
    push(r.state);
    return r.ret;
  };

  /** Lets the device work: data already at its input, then scheduled deliveries whose time has come. */
  const pump = (sleeping: boolean): void => {
    for (;;) {
      const s = cur();
      if (s.device.transfer && s.device.queue.length > 0) {
        push(stepUnchecked(s, { actor: 'device' }));
        continue;
      }
      const head = pending[0];
      if (!head || !s.device.transfer || (head.when === 'sleep' && !sleeping)) return;
      pending.shift();
      push(stepUnchecked(s, { actor: 'world', data: head.data, chunks: head.chunks }));
    }
  };

  const result = (r: Ret): SysResult => (r.errno ? { errno: r.errno } : { value: r.ret as number });

  const mapping = (addr: number, length: number, map: number | null, kind: 'regs' | 'memory'): UioMapping => {
    const regOf = (fn: string, offset: number): RegName => {
      if (kind !== 'regs') throw new RangeError(`${fn}: this mapping (map ${map}) is memory, not registers; use read()`);
      const r = REG_NAMES.find((n) => REG[n] === offset);
      if (!r) throw new RangeError(`${fn}: no register at offset ${String(offset)}; the registers are ${REG_NAMES.map((n) => `${n} ${hex(REG[n])}`).join(', ')}`);
      return r;
    };
    const memRange = (fn: string, offset: number, len: number): void => {
      if (kind !== 'memory') throw new RangeError(`${fn}: this mapping holds registers; use readRegister()`);
      needInt(fn, 'length', len, 1, 4096);
      needInt(fn, 'offset', offset, 0, length - len);
    };
    const m: UioMapping = {
      addr,
      length,
      map,
      kind,
      readRegister(offset) {
        regOf('readRegister', offset);
        const r = run('readRegister', { op: 'mmio-read', va: addr + offset });
        pump(false);
        return r.ret as number;
      },
      writeRegister(offset, value) {
        const r = regOf('writeRegister', offset);
        needInt('writeRegister', `the value for ${r}`, value, 0, REG_WIDTH[r] === 8 ? Number.MAX_SAFE_INTEGER : 0xffffffff);
        run('writeRegister', { op: 'mmio-write', va: addr + offset, value });
        pump(false);
      },
      read(offset, len) {
        memRange('read', offset, len);
        const r = run('read', { op: 'load', va: addr + offset, length: len });
        pump(false);
        return r.bytes ?? [];
      },
      readString(offset, len) {
        return bytesText(m.read(offset, len), len);
      },
    };
    return m;
  };

  const aBufferPages = start.params.processA.bufferPfns.length;
  const session: UioSession = {
    get state() {
      return cur();
    },
    get states() {
      return states;
    },
    userBuffer: {
      addr: USER_BUFFER_VA,
      length: aBufferPages * PAGE_SIZE,
      read(offset, len) {
        needInt('userBuffer.read', 'length', len, 1, 4096);
        needInt('userBuffer.read', 'offset', offset, 0, aBufferPages * PAGE_SIZE - len);
        const r = run('userBuffer.read', { op: 'load', va: USER_BUFFER_VA + offset, length: len });
        pump(false);
        return r.bytes ?? [];
      },
      readString(offset, len) {
        return bytesText(session.userBuffer.read(offset, len), len);
      },
    },
    open(path, flags = O_RDWR) {
      if (typeof path !== 'string' || path.length > 128) throw new RangeError('open: path must be a string of at most 128 characters');
      needInt('open', 'flags', flags, 0, 0xffffffff);
      const r = run('open', { op: 'open', path, flags });
      pump(false);
      return r.errno ? -ERRNO[r.errno] : (r.ret as number);
    },
    close(fd) {
      needInt('close', 'fd', fd, 0, 1023);
      const r = run('close', { op: 'close', fd });
      pump(false);
      return r.errno ? -ERRNO[r.errno] : 0;
    },
    mmap(fd, length, offset) {
      needInt('mmap', 'fd', fd, 0, 1023);
      needInt('mmap', 'length', length, 0, 2 ** 40);
      needInt('mmap', 'offset', offset, 0, Number.MAX_SAFE_INTEGER);
      const r = run('mmap', { op: 'mmap', fd, length, offset });
      pump(false);
      if (r.errno) return { errno: r.errno };
      const v = cur().procs[0].vmas.find((x) => x.start === r.ret) as UioState['procs'][0]['vmas'][number];
      return mapping(v.start, v.end - v.start, v.mapIndex, v.target);
    },
    read(fd, count) {
      needInt('read', 'fd', fd, 0, 1023);
      needInt('read', 'count', count, 0, 0x7ffff000);
      const r = run('read', { op: 'read', fd, count });
      if (!cur().procs[0].blocked) {
        pump(r.errno === 'EAGAIN');
        return result(r);
      }
      pump(true);
      if (aWoken(cur())) {
        push(stepUnchecked(cur(), { actor: 'A', wake: true }));
        pump(false);
        const reads = cur().procs[0].reads;
        return { value: reads[reads.length - 1].value };
      }
      hangs += 1;
      push(stepUnchecked(cur(), { actor: 'A', signal: true }));
      return { errno: 'EINTR' };
    },
    write(fd, value, count = 4) {
      needInt('write', 'fd', fd, 0, 1023);
      needInt('write', 'count', count, 0, 0x7ffff000);
      needInt('write', 'value', value, -(2 ** 31), 0xffffffff);
      const r = run('write', { op: 'write', fd, value, count });
      pump(false);
      return result(r);
    },
    poll(fd) {
      needInt('poll', 'fd', fd, 0, 1023);
      const r = run('poll', { op: 'poll', fd });
      pump(r.ret === 0);
      return result(r);
    },
    readSysfs(path) {
      if (typeof path !== 'string') throw new RangeError('readSysfs: path must be a string');
      const r = run('readSysfs', { op: 'sysfs', path: path.length > 128 ? path.slice(0, 128) : path });
      pump(false);
      if (r.errno) throw new Error(`readSysfs: ${path}: ENOENT (${sysfsRead(cur(), path).why})`);
      return r.text as string;
    },
    vfioMapDma(vaddr, iova, length) {
      needInt('vfioMapDma', 'vaddr', vaddr, 0, Number.MAX_SAFE_INTEGER);
      needInt('vfioMapDma', 'iova', iova, 0, Number.MAX_SAFE_INTEGER);
      needInt('vfioMapDma', 'length', length, 0, 2 ** 40);
      const r = run('vfioMapDma', { op: 'map-dma', vaddr, iova, length });
      pump(false);
      return r.errno ? -ERRNO[r.errno] : 0;
    },
    deviceDeliver(data, nInterrupts = 1, opts = {}) {
      const bytes = toBytes(data as string | number[] | Uint8Array, 'deviceDeliver: data');
      validateDelivery({ data: bytes, chunks: nInterrupts }, 'deviceDeliver');
      const when = opts.when ?? 'armed';
      if (when !== 'armed' && when !== 'sleep') throw new RangeError(`deviceDeliver: when must be 'armed' or 'sleep', got ${JSON.stringify(when)}`);
      pending.push({ data: bytes, chunks: nInterrupts, when });
      if (cur().procs[0].status === 'running' && !cur().procs[0].blocked) pump(false);
    },
    bystander(op) {
      const before = cur().procs[1].reads.length;
      push(stepUnchecked(cur(), { actor: 'B', op }));
      const reads = cur().procs[1].reads;
      return reads.length > before ? reads[reads.length - 1].text : null;
    },
    report() {
      const s = cur();
      const log = s.device.log;
      const reads = s.procs[0].reads;
      const strayWrites: UioReport['strayWrites'] = [];
      for (const w of log) for (const t of w.targets) if (w.outcome === 'stray' && t.owner !== 'dma-buffer') strayWrites.push({ pfn: t.pfn, owner: t.owner, step: w.step });
      return {
        dmaWrites: log,
        dataInBuffer: log.length > 0 && log.every((w) => w.outcome === 'ok'),
        interruptsRaised: s.device.interruptsRaised,
        interruptCount: s.uio ? s.uio.event : null,
        readValues: reads.map((r) => r.value),
        interruptsSeen: reads.reduce((n, r) => n + r.jump, 0),
        missedByCount: reads.reduce((n, r) => n + Math.max(0, r.jump - 1), 0),
        mergedWhileDisabled: s.uio ? s.uio.irqState.merged : 0,
        pendingAtEnd: s.uio ? s.uio.irqState.pending : false,
        irqLineEnabled: s.uio ? s.uio.irqState.line === 'enabled' : null,
        unreadInterrupts: s.uio ? s.uio.event - Math.max(0, ...reads.map((r) => r.value), ...s.procs[0].files.map((f) => f.eventCount ?? 0)) : 0,
        processBCorrupted: strayWrites.some((w) => w.owner === 'B'),
        strayWrites,
        iommuFaults: s.iommu.faults,
        dmaErrors: s.device.errors,
        hangs,
        undelivered: pending.length + s.device.queue.length,
        killed: s.procs[0].status === 'killed',
        steps: s.stepIndex,
      };
    },
  };
  return session;
}

/** Paths, for exercises: `/dev/uio0` and the sysfs attribute with the DMA buffer's bus address. */
export const PATHS = { uio: UIO_PATH, busAddrOfMap1: `${SYSFS_UIO}/maps/map1/addr` } as const;
