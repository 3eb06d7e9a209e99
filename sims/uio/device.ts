/**
 * The device: one chunk of DMA at a time into memory at the bus address of its armed
 * transfer (through the IOMMU under VFIO), then an interrupt.
 * Part of the UIO model (`model.ts`).
 */
import { DEVICE_BDF, PAGE_SIZE, STATUS_BUSY, STATUS_DONE, STATUS_ERR, hex } from './constants.ts';
import type { DmaOutcome, DmaTarget, Frame, UioState } from './types.ts';
import type { KernelSource } from '../core/model.ts';
import { SRC, bytesText, draft, writeFrame } from './common.ts';
import { plural } from '../core/text.ts';
import type { StepOut } from './calls.ts';
import { raiseInterrupt } from './calls.ts';
// ---------------------------------------------------------------------------------------
// The device.

/** The bytes of chunk `k` of a delivery, cut to the transfer length: [start, end) offsets. */
export function chunkBounds(dataLen: number, transferLen: number, chunks: number, k: number): [number, number] {
  const total = Math.min(dataLen, transferLen);
  return [Math.floor((k * total) / chunks), Math.floor(((k + 1) * total) / chunks)];
}

interface Translation {
  outcome: DmaOutcome;
  targets: DmaTarget[];
  /** For faults: the IOVA and why. */
  fault?: { iova: number; reason: 'not-mapped' | 'read-only' };
}

function intended(s: UioState, f: Frame): boolean {
  return s.params.iommu === 'vfio' ? f.pinned && f.owner === 'A' : f.owner === 'dma-buffer';
}

/** Where `length` bytes at bus address `bus` land: a physical address without an IOMMU, an IOVA with one. */
function translate(s: UioState, bus: number, length: number): Translation {
  const targets: DmaTarget[] = [];
  let addr = bus;
  let left = length;
  while (left > 0) {
    const inPage = addr % PAGE_SIZE;
    const n = Math.min(left, PAGE_SIZE - inPage);
    let pfn: number;
    let iova: number | null = null;
    if (s.params.iommu === 'vfio') {
      iova = addr - inPage;
      const m = s.iommu.mappings.find((x) => x.iova === iova);
      if (!m) return { outcome: 'iommu-fault', targets: [], fault: { iova: addr, reason: 'not-mapped' } };
      if (!m.write) return { outcome: 'iommu-fault', targets: [], fault: { iova: addr, reason: 'read-only' } };
      pfn = m.pfn;
    } else {
      pfn = Math.floor(addr / PAGE_SIZE);
      if (pfn >= s.frames.length) return { outcome: 'no-ram', targets: [] };
    }
    targets.push({ pfn, offset: inPage, length: n, owner: s.frames[pfn].owner, iova });
    addr += n;
    left -= n;
  }
  const allIntended = targets.every((t) => intended(s, s.frames[t.pfn]));
  return { outcome: allIntended ? 'ok' : 'stray', targets };
}

function ownerText(t: DmaTarget, s: UioState): string {
  const f = s.frames[t.pfn];
  switch (t.owner) {
    case 'dma-buffer':
      return `pfn ${t.pfn}, the DMA buffer (${f.label})`;
    case 'A':
      return `pfn ${t.pfn}, A's own page at ${hex(f.va as number)}`;
    case 'B':
      return `pfn ${t.pfn}, process B's page at ${hex(f.va as number)}`;
    case 'kernel':
      return `pfn ${t.pfn}, kernel memory`;
    case 'kernel-map':
      return `pfn ${t.pfn}, the driver's ${f.label}`;
    case 'free':
      return `pfn ${t.pfn}, a free frame`;
  }
}

function finishTransfer(s: UioState, error: boolean): void {
  const d = s.device;
  d.transfer = null;
  d.queue = d.queue.slice(1);
  d.regs.STATUS = (d.regs.STATUS & ~STATUS_BUSY) | (error ? STATUS_ERR : STATUS_DONE);
  if (error) d.errors += 1;
}

export function stepDevice(s0: UioState): StepOut {
  const s = draft(s0);
  const d = s.device;
  const t = d.transfer as NonNullable<UioState['device']['transfer']>;
  const q = d.queue[0];
  const k = t.chunksDone;
  const [start, end] = chunkBounds(q.data.length, t.len, q.chunks, k);
  const bytes = q.data.slice(start, end);
  const bus = t.busAddr + start;
  const text = bytesText(bytes, 24);
  const step = s.stepIndex + 1;
  const chunkName = q.chunks === 1 ? 'its data' : `chunk ${k + 1} of ${q.chunks}`;
  const tr = bytes.length > 0 ? translate(s, bus, bytes.length) : { outcome: 'ok' as DmaOutcome, targets: [] };
  d.log.push({ step, busAddr: bus, length: bytes.length, outcome: tr.outcome, targets: tr.targets, text });
  let what: string;
  let source: KernelSource | null = null;
  if (tr.outcome === 'no-ram') {
    what = `The device tries to write ${chunkName} (${plural(bytes.length, 'byte')}) at bus address ${hex(bus)}, but no RAM answers at that physical address: the write goes nowhere, the device aborts with STATUS.ERR`;
    finishTransfer(s, true);
  } else if (tr.outcome === 'iommu-fault') {
    const fault = tr.fault as NonNullable<Translation['fault']>;
    s.iommu.faults.push({ step, iova: fault.iova, access: 'write', reason: fault.reason });
    s.kernelLog.push(`DMAR: [DMA Write] Request device [${DEVICE_BDF.slice(5)}] fault addr ${hex(fault.iova)}: ${fault.reason === 'not-mapped' ? 'no mapping' : 'read-only mapping'}`);
    what = `The device tries to write ${chunkName} (${plural(bytes.length, 'byte')}) at IOVA ${hex(bus)}; the IOMMU finds ${fault.reason === 'not-mapped' ? 'no mapping for it' : 'only a read-only mapping'} in the device's domain, blocks the write and reports a fault: nothing in memory changes, the device aborts with STATUS.ERR`;
    source = SRC.dmarFault;
    finishTransfer(s, true);
  } else {
    let done = 0;
    for (const tg of tr.targets) {
      const f = s.frames[tg.pfn];
      writeFrame(f, tg.offset, bytes.slice(done, done + tg.length));
      done += tg.length;
      f.dmaWrites += 1;
      if (!intended(s, f) && f.strayDmaStep === null) f.strayDmaStep = step;
    }
    t.written = end;
    t.chunksDone = k + 1;
    const where = tr.targets.length ? tr.targets.map((x) => ownerText(x, s)).join(' and ') : 'nowhere (an empty chunk)';
    const via = s.params.iommu === 'vfio' ? `to IOVA ${hex(bus)}, which the IOMMU translates to ${where}` : `to bus address ${hex(bus)}, which without an IOMMU is the physical address: ${where}`;
    const warn = tr.outcome === 'stray' ? '; that is not the DMA buffer, and nothing checked the address' : '';
    what = `The device writes ${chunkName}, "${text}" (${plural(bytes.length, 'byte')}), by DMA ${via}${warn}`;
    if (t.chunksDone === q.chunks) {
      const dropped = q.data.length - Math.min(q.data.length, t.len);
      if (dropped > 0) what += `; DMA_LEN is ${t.len}, so the last ${plural(dropped, 'byte')} are dropped`;
      finishTransfer(s, false);
      what += '; the transfer is complete (STATUS.DONE)';
    }
  }
  const irq = raiseInterrupt(s);
  return { state: s, narration: `${what}; ${irq.narration}.`, source: source ?? irq.source, actor: 'device' };
}

export function stepWorld(s0: UioState, data: number[], chunks: number): StepOut {
  const s = draft(s0);
  s.device.queue.push({ data: [...data], chunks });
  const waiting = s.device.transfer ? 'the armed transfer will take it' : 'it waits until a transfer is armed';
  return {
    state: s,
    narration: `${plural(data.length, 'byte')} ("${bytesText(data, 24)}") arrive at the device's input, to be written in ${plural(chunks, 'chunk')}; ${waiting}.`,
    source: null,
    actor: 'world',
  };
}
