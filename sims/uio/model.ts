/**
 * The UIO model: a user-space driver talking to a PCI bus-master through /dev/uio0 (or
 * through VFIO behind an IOMMU), and what the device's DMA does to physical memory.
 *
 * The scheduler picks who acts next (`enabled` lists them):
 * - process A runs the next op of its script (`params.programA`): open, close, mmap, read,
 *   write, poll, a load or store through a mapping (MMIO to the registers, or memory), a
 *   sysfs read, VFIO_IOMMU_MAP_DMA; or, asleep in read() and woken, returns from it;
 * - process B runs the next op of its script (read, write or allocate a page of its own);
 * - the device writes the next chunk of the data waiting at its input into memory at the
 *   bus address of its armed transfer, then interrupts (if IRQ_ENABLE says so).
 *
 * Semantics follow drivers/uio/uio.c of Linux 6.12: `uio_open` records the current count as
 * the file's `event_count`; `uio_read` wants exactly 4 bytes (-EINVAL), returns -EIO without
 * an irq, returns the s32 count at once if it differs from what this file saw (and records
 * it), gives -EAGAIN under O_NONBLOCK, else sleeps until `uio_event_notify`; `uio_write` wants
 * 4 bytes (-EINVAL), -EIO without an irq, -ENOSYS without `irqcontrol`, else calls
 * `irqcontrol(info, value)` and returns 4; `uio_poll` reports POLLIN when the count differs;
 * `uio_mmap` takes map N from offset N * PAGE_SIZE (`uio_find_mem_index`: -EINVAL at or beyond
 * MAX_UIO_MAPS or for a map of size 0), refuses more pages than the map has (-EINVAL), then
 * `uio_mmap_physical` (PHYS, IOVA: -ENODEV if not page aligned, -EINVAL if longer than the
 * map, `remap_pfn_range`), `uio_mmap_logical` (LOGICAL, VIRTUAL: pages by fault) or
 * `uio_mmap_dma_coherent` (DMA_COHERENT: the "highly discouraged" warning, then
 * `dma_mmap_coherent`); NONE gives -EINVAL.
 *
 * Departures from the kernel, and why:
 * 1. One step is one whole operation (a system call, a chunk of DMA with its interrupt and
 *    handler). The hard-irq handler and the IRQ thread (`uio_interrupt_handler`,
 *    `uio_interrupt_thread`) run inside the device's step, before anyone else can act.
 * 2. The interrupt is an edge (MSI-like): one message per chunk. A message that arrives
 *    while the line is disabled is held as one pending interrupt (IRQS_PENDING) and replayed
 *    once by `enable_irq`; further ones are lost (`IrqState.merged`). Level-triggered lines
 *    and lazy disable are not modelled.
 * 3. The UIO driver is one invented PCI driver that combines uio_dmem_genirq's dynamic DMA
 *    regions (allocated with `dma_alloc_coherent` at the first open, freed at the last
 *    release, sysfs `addr` = ~0 in between) with a genirq-style or keep-enabled handler.
 *    `dma_alloc_coherent` takes the lowest run of free frames; without an IOMMU the DMA
 *    handle is the physical address (dma-direct).
 * 4. A DMA chunk is checked whole before it is written: if any page of it has no RAM or no
 *    IOMMU mapping, nothing of it is written (a real device may have written the pages
 *    before the bad one). Physical memory is only `params.frames` frames from address 0.
 * 5. VFIO is reduced to what containment needs: opening /dev/vfio/devices/vfio0 folds the
 *    container or iommufd setup into one step; mmap offset 0 maps BAR0 (region index 0,
 *    VFIO_PCI_INDEX_TO_OFFSET(0) = 0); VFIO_IOMMU_MAP_DMA pins A's pages and maps them at an
 *    IOVA. Interrupts through eventfds (VFIO_DEVICE_SET_IRQS) and read()/write() of VFIO
 *    regions are not modelled: a VFIO user polls STATUS through the mapped BAR.
 * 6. Only process A uses the device; the file's reference held by an mmap is counted, but
 *    there is no munmap; a store or load outside every mapping kills A (SIGSEGV).
 * 7. poll() is one fd asking for POLLIN with timeout 0, and its result is `revents` (not the
 *    count of ready fds). Signals exist only to end a read() nothing can wake (sessions).
 * 8. Process B's new pages take the lowest free frame (no reclaim, no zone or NUMA choice),
 *    which is what lets a freed DMA buffer become B's page in the wrong-address preset.
 * 9. The device's registers and its chunked, interrupt-per-chunk DMA engine are invented
 *    for the lab (`constants.ts`); real devices use descriptor rings, but the address
 *    problem is the same.
 */
import type { BystanderOp, FrameOwner, UioChoice, UioParams, UioState, UserOp } from './types.ts';
import { ERRNO, PAGE_SIZE, type Errno } from './constants.ts';
import type { Model, StepEvent } from '../core/model.ts';
import { aWoken, opLabel, type Ret, type StepOut } from './calls.ts';
import { deepClone } from './common.ts';
import { initialState } from './init.ts';
import { signalA, stepA, wakeA } from './process-a.ts';
import { stepB } from './process-b.ts';
import { stepDevice, stepWorld } from './device.ts';
import { validateDelivery, validateUserOp } from './params.ts';
export { KERNEL_VERSION } from './constants.ts';
export { aWoken } from './calls.ts';
// The model's parts, re-exported: `./index.ts` and the tests import them from here.
export { MAX_FRAMES, MAX_PROC_PAGES, MAX_DELIVERY_BYTES, MAX_CHUNKS, MAX_DELIVERIES, MAX_LOAD, VFIO_PCI_OFFSET_SHIFT, SRC, toBytes, bytesText, draft } from './common.ts';
export { validateUserOp, validateDelivery, validateParams } from './params.ts';
export { initialState } from './init.ts';
export { opLabel, readReg } from './calls.ts';
export type { Ret } from './calls.ts';
export { sysfsRead, applyUserOp } from './process-a.ts';
export { chunkBounds } from './device.ts';


// ---------------------------------------------------------------------------------------
// Choices.

function enabledChoices(s: UioState): UioChoice[] {
  const out: UioChoice[] = [];
  const a = s.procs[0];
  if (a.status === 'running') {
    if (a.blocked) {
      if (aWoken(s)) out.push({ actor: 'A', wake: true });
    } else if (a.pc < s.params.programA.length) {
      out.push({ actor: 'A', op: s.params.programA[a.pc] });
    }
  }
  const b = s.procs[1];
  if (b.pc < s.params.programB.length) out.push({ actor: 'B', op: s.params.programB[b.pc] });
  if (s.device.transfer && s.device.queue.length > 0) out.push({ actor: 'device' });
  return out;
}

/** A string identifying a choice (equal strings = the same choice). */
export function choiceKey(c: UioChoice): string {
  switch (c.actor) {
    case 'A':
      if ('wake' in c) return 'A:wake';
      if ('signal' in c) return 'A:signal';
      return `A:${JSON.stringify(c.op)}`;
    case 'B':
      return `B:${JSON.stringify(c.op)}`;
    case 'device':
      return 'device';
    case 'world':
      return `world:${c.chunks}:${c.data.join(',')}`;
  }
}

function sameChoice(a: UioChoice, b: UioChoice): boolean {
  return choiceKey(a) === choiceKey(b);
}

function bLabel(op: BystanderOp): string {
  switch (op.op) {
    case 'read':
      return `read its page ${op.page}`;
    case 'write':
      return `write "${op.text}" to its page ${op.page}`;
    case 'alloc':
      return `touch a new page ("${op.text}")`;
  }
}

function describeChoice(s: UioState, c: UioChoice): string {
  switch (c.actor) {
    case 'A':
      if ('wake' in c) return 'process A: read() returns';
      if ('signal' in c) return 'process A: a signal interrupts read()';
      return `process A: ${opLabel(c.op)}`;
    case 'B':
      return `process B: ${bLabel(c.op)}`;
    case 'device': {
      const q = s.device.queue[0];
      return q && s.device.transfer ? `device: DMA ${q.chunks === 1 ? 'its data' : `chunk ${s.device.transfer.chunksDone + 1} of ${q.chunks}`} and interrupt` : 'device (idle)';
    }
    case 'world':
      return `outside world: ${c.data.length} bytes arrive at the device`;
  }
}

function normalise(c: UioChoice): UioChoice {
  return deepClone(c);
}

function finish(state: UioState, r: StepOut, choice: UioChoice, quiet = false): UioState {
  const event: StepEvent = { narration: quiet ? '' : r.narration, source: r.source, actor: r.actor };
  return { ...r.state, stepIndex: state.stepIndex + 1, event, lastChoice: normalise(choice) };
}

/**
 * Process A issues `op` (any op, not only its script's next one): the next state and what
 * the op returned (`ret`, `errno` name, `text`, and `bytes` for loads). `ret` and `errno`
 * are both null when A went to sleep in read(). Throws `RangeError` for a malformed op and
 * `Error` when A cannot run (asleep or killed). Pure; for sessions.
 */
export function stepUserOp(state: UioState, op: UserOp): { state: UioState; ret: Ret } {
  validateUserOp(op, 'op');
  if (state.procs[0].blocked || state.procs[0].status !== 'running') throw new Error('uio model: process A cannot run an op now');
  const { out, ret } = stepA(state, op);
  return { state: finish(state, out, { actor: 'A', op }), ret };
}

function applyChoice(state: UioState, choice: UioChoice, quiet = false): UioState {
  let r: StepOut;
  switch (choice.actor) {
    case 'A':
      r = 'wake' in choice ? wakeA(state) : 'signal' in choice ? signalA(state) : stepA(state, choice.op).out;
      break;
    case 'B':
      r = stepB(state, choice.op);
      break;
    case 'device':
      r = stepDevice(state);
      break;
    case 'world':
      r = stepWorld(state, choice.data, choice.chunks);
      break;
  }
  return finish(state, r, choice, quiet);
}

/**
 * `step` without the enabled check, for callers that drive the model directly
 * (`./session.ts`). The choice must still make sense: `wake` and `signal` need A asleep in
 * read(), `device` an armed transfer with data waiting; throws `Error` otherwise. Pure.
 */
export function stepUnchecked(state: UioState, choice: UioChoice): UioState {
  if (choice.actor === 'A' && ('wake' in choice || 'signal' in choice) && !state.procs[0].blocked) throw new Error('uio model: process A is not asleep in read()');
  if (choice.actor === 'A' && 'wake' in choice && !aWoken(state)) throw new Error('uio model: nothing has woken process A');
  if (choice.actor === 'A' && 'op' in choice && (state.procs[0].blocked || state.procs[0].status !== 'running')) throw new Error('uio model: process A cannot run an op now');
  if (choice.actor === 'device' && !(state.device.transfer && state.device.queue.length > 0)) throw new Error('uio model: the device has no armed transfer with data waiting');
  if (choice.actor === 'world') validateDelivery({ data: choice.data, chunks: choice.chunks }, 'world choice');
  if (choice.actor === 'A' && 'op' in choice) validateUserOp(choice.op, 'op');
  return applyChoice(state, choice);
}

/**
 * The UIO model (id `'uio'`), implementing `Model` of `../core/model.ts`.
 *
 * - `initialState(params, seed)`: see `initialState`; the seed is unused (no randomness).
 * - `enabled(state)`: `{actor:'A', op}` (A's next op) or `{actor:'A', wake:true}` (A asleep in
 *   read() and the count moved), then `{actor:'B', op}` (B's next op), then `{actor:'device'}`
 *   (an armed transfer with data waiting). Empty when nothing can happen (A may be left
 *   asleep: a read that nothing will ever wake).
 * - `step(state, choice)`: pure; throws `Error` if `choice` is not enabled.
 * - `event(state)`: narration, source (`{file, fn, version: '6.12'}`, or null for MMIO, the
 *   CPU and the device) and actor (`'A'`, `'B'`, `'device'`, `'world'`).
 */
export const uioModel: Model<UioParams, UioState, UioChoice> = {
  id: 'uio',
  initialState(params: UioParams, _seed: number): UioState {
    return initialState(params);
  },
  enabled: enabledChoices,
  step(state: UioState, choice: UioChoice): UioState {
    if (!enabledChoices(state).some((c) => sameChoice(c, choice))) {
      throw new Error(`uio model: choice ${JSON.stringify(choice)} is not enabled after step ${state.stepIndex}`);
    }
    return applyChoice(state, choice);
  },
  stepFast: (state: UioState, choice: UioChoice) => applyChoice(state, choice, true),
  event(state: UioState): StepEvent | null {
    return state.event;
  },
  describeChoice,
  sameChoice,
};

/** A key for the explorer: the state without `stepIndex`, `event` and `lastChoice` (equal keys, equal futures). */
export function canonicalKey(s: UioState): string {
  const { stepIndex: _i, event: _e, lastChoice: _c, params: _p, ...rest } = s;
  return JSON.stringify(rest);
}

/** The owner of the frame at physical address `phys`, or null outside RAM (for views). */
export function ownerAt(s: UioState, phys: number): FrameOwner | null {
  const f = s.frames[Math.floor(phys / PAGE_SIZE)];
  return f ? f.owner : null;
}

/** `ERRNO[e]`, negated: the raw system-call return for an errno name. */
export function errnoValue(e: Errno): number {
  return -ERRNO[e];
}
