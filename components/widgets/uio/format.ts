/**
 * Words and numbers of the UIO / VFIO widget, with no DOM: register values and bit names,
 * UIO map rows (memtype, sysfs addr, the mmap offset that selects each), the interrupt line,
 * process A's blocked read(), frame owners, and what each DMA chunk did. Shared by the server
 * render (`UioSim.astro`), the table view (`uio-html.ts`), the diagrams' layout
 * (`uio-layout.ts`) and the element, so every view says the same thing.
 */
import { CTRL_START, IRQ_ENABLE_DONE, PAGE_SIZE, REG, REG_NAMES, REG_WIDTH, STATUS_BUSY, STATUS_DONE, STATUS_ERR, UIO_PATH, VFIO_PATH, hex, type RegName, type DmaWrite, type FrameOwner, type IrqState, type UioChoice, type UioMap, type UioState } from '../../../sims/uio/index.ts';

import { plural } from '../../../sims/core/text.ts';
import { noSourceByActor } from '../../player/definition.ts';
import { seriesColor } from '../../scene/palette.ts';

export { hex };

/** Bit names of each register, lowest bit first (DMA_ADDR and DMA_LEN hold numbers, not bits). */
export const REG_BITS: Record<RegName, readonly { bit: number; name: string }[]> = {
  DMA_ADDR: [],
  DMA_LEN: [],
  CTRL: [{ bit: CTRL_START, name: 'START' }],
  STATUS: [
    { bit: STATUS_DONE, name: 'DONE' },
    { bit: STATUS_ERR, name: 'ERR' },
    { bit: STATUS_BUSY, name: 'BUSY' },
  ],
  IRQ_ENABLE: [{ bit: IRQ_ENABLE_DONE, name: 'DONE' }],
};

/** The value a read of register `r` returns: STATUS includes BUSY while a transfer is armed, CTRL reads 0 (START self-clears). */
export function regValue(s: UioState, r: RegName): number {
  const regs = s.device.regs;
  if (r === 'STATUS') return (regs.STATUS & ~STATUS_BUSY) | (s.device.transfer ? STATUS_BUSY : 0);
  if (r === 'CTRL') return 0;
  return regs[r];
}

/**
 * What a register's value means: its set bits by name (`DONE|BUSY`), `none set` for a bit
 * register at 0, `bus address` / `bytes` for DMA_ADDR / DMA_LEN.
 */
export function regMeaning(r: RegName, value: number): string {
  if (r === 'DMA_ADDR') return value === 0 ? 'bus address (not set)' : 'bus address';
  if (r === 'DMA_LEN') return value === 0 ? 'bytes (not set)' : `${value} bytes`;
  const names = REG_BITS[r].filter((b) => value & b.bit).map((b) => b.name);
  if (r === 'CTRL') return 'START self-clears';
  return names.length ? names.join('|') : 'none set';
}

/** One register as the views show it. */
export interface RegRow {
  name: RegName;
  /** `+0x10` from BAR0. */
  offset: string;
  /** 8 (DMA_ADDR) or 4 bytes. */
  width: number;
  value: number;
  valueHex: string;
  meaning: string;
  /** The value differs from the previous state's. */
  changed: boolean;
}

/** The five registers in offset order, with `changed` against `prev` (none changed without one). */
export function regRows(s: UioState, prev: UioState | null = null): RegRow[] {
  return REG_NAMES.map((name) => {
    const value = regValue(s, name);
    return {
      name,
      offset: `+${hex(REG[name])}`,
      width: REG_WIDTH[name],
      value,
      valueHex: hex(value),
      meaning: regMeaning(name, value),
      changed: prev !== null && regValue(prev, name) !== value,
    };
  });
}

/** `UIO_MEM_PHYS (1)`. */
export function memtypeText(m: Pick<UioMap, 'memtype' | 'memtypeValue'>): string {
  return `UIO_MEM_${m.memtype} (${m.memtypeValue})`;
}

/** `4 KiB`, `8 KiB`, `512 B`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** The mmap offset that selects map `index`: `index × PAGE_SIZE`, as `0x1000`. */
export function mapOffset(index: number): string {
  return hex(index * PAGE_SIZE);
}

/** The interrupt line in words: `enabled`, `disabled`, `disabled, 1 pending`. */
export function irqLineText(irq: IrqState): string {
  if (irq.line === 'enabled') return irq.pending ? 'enabled, 1 pending' : 'enabled';
  return irq.pending ? 'disabled, 1 pending' : 'disabled';
}

/** The state of the interrupt line for styling: `enabled`, `disabled` or `pending`. */
export function irqLineKind(irq: IrqState): 'enabled' | 'disabled' | 'pending' {
  return irq.pending ? 'pending' : irq.line;
}

/** What process A is doing about read(): asleep, just woken, returned, or not reading. */
export type ReadPhase =
  | { kind: 'asleep'; fd: number; since: number; woken: boolean }
  | { kind: 'returned'; fd: number; value: number | null; errno: string | null; step: number }
  | { kind: 'none' };

/** A's read() now: asleep in it (and whether the count has moved, so it will wake), or the last one's result this step, or nothing. */
export function readPhase(s: UioState): ReadPhase {
  const a = s.procs[0];
  if (a.blocked) {
    const f = a.files.find((x) => x.fd === a.blocked!.fd);
    const woken = !!s.uio && !!f && f.eventCount !== s.uio.event;
    return { kind: 'asleep', fd: a.blocked.fd, since: a.blocked.since, woken };
  }
  const last = a.results[a.results.length - 1];
  if (last && last.step === s.stepIndex && /^read\(/.test(last.call)) {
    const fd = Number(/^read\((\d+)/.exec(last.call)?.[1] ?? -1);
    return { kind: 'returned', fd, value: last.ret, errno: last.errno ? last.errno.replace(/^-/, '') : null, step: last.step };
  }
  return { kind: 'none' };
}

/** One-line words for A's read(): `asleep in read(3) since step 9`, `read(3) returned 1`. */
export function readPhaseText(p: ReadPhase): string {
  switch (p.kind) {
    case 'asleep':
      return p.woken ? `read(${p.fd}): woken, about to return` : `asleep in read(${p.fd}) since step ${p.since}`;
    case 'returned':
      return p.errno ? `read(${p.fd}) returned -1 (${p.errno})` : `read(${p.fd}) returned ${p.value}`;
    case 'none':
      return 'not in read()';
  }
}

/**
 * Each owner of a frame, once: its words, the short tag drawn in its frame, its CSS class
 * suffix (`uio-own-<cls>`), and its colour in the series palette (`seriesColor`; none for the
 * kernel's own pages and free frames, drawn in the neutral colours).
 */
export const FRAME_OWNERS: Readonly<Record<FrameOwner, { name: string; tag: string; cls: string; series?: number }>> = {
  A: { name: 'process A', tag: 'A', cls: 'a', series: 0 },
  B: { name: 'process B', tag: 'B', cls: 'b', series: 1 },
  'dma-buffer': { name: 'DMA buffer', tag: 'DMA', cls: 'dma', series: 2 },
  kernel: { name: 'kernel', tag: 'kernel', cls: 'kernel' },
  'kernel-map': { name: 'kernel page (UIO map)', tag: 'kmap', cls: 'kmap', series: 3 },
  free: { name: 'free', tag: 'free', cls: 'free' },
};

/** Who a frame belongs to, in words. */
export function ownerName(o: FrameOwner): string {
  return FRAME_OWNERS[o].name;
}

/** Short owner tag drawn in a frame: `A`, `B`, `DMA`, `kernel`, `kmap`, `free`. */
export function ownerTag(o: FrameOwner): string {
  return FRAME_OWNERS[o].tag;
}

/** The owner's CSS class suffix: `uio-own-<this>`. */
export function ownerClass(o: FrameOwner): string {
  return FRAME_OWNERS[o].cls;
}

/** `pfn 2 (0x2000)`. */
export function pfnText(pfn: number): string {
  return `pfn ${pfn} (${hex(pfn * PAGE_SIZE)})`;
}

/** The DMA chunk writes made at this step (usually one). */
export function writesNow(s: UioState): DmaWrite[] {
  return s.device.log.filter((w) => w.step === s.stepIndex);
}

/** What one chunk write did, in a phrase: where it landed or why nothing was written. */
export function outcomeText(w: DmaWrite): string {
  const where = w.targets.map((t) => `${pfnText(t.pfn)}, ${ownerName(t.owner)}`).join('; ');
  switch (w.outcome) {
    case 'ok':
      return `${w.length} bytes into ${where}`;
    case 'stray':
      return `${w.length} bytes into ${where}, not the DMA buffer`;
    case 'no-ram':
      return `no RAM at ${hex(w.busAddr)}: nothing written`;
    case 'iommu-fault':
      return `IOMMU fault at IOVA ${hex(w.busAddr)}: nothing written`;
  }
}

/** A short label for a write's outcome: `written`, `B's page overwritten`, `stray write`, `no RAM`, `IOMMU fault: nothing written`. */
export function outcomeLabel(w: DmaWrite): string {
  switch (w.outcome) {
    case 'ok':
      return 'written';
    case 'stray':
      return w.targets.some((t) => t.owner === 'B') ? "B's page overwritten" : 'stray write';
    case 'no-ram':
      return 'no RAM: nothing written';
    case 'iommu-fault':
      return 'IOMMU fault: nothing written';
  }
}

/** The device file A uses in this run. */
export function devicePath(s: UioState): string {
  return s.params.iommu === 'vfio' ? VFIO_PATH : UIO_PATH;
}

/** The caption for the initial state (the model's event is null there). */
export function initialNarration(s: UioState): string {
  if (s.params.iommu === 'vfio') {
    return `Before anything runs: the device ${s.device.bdf} is bound to vfio-pci behind an IOMMU with no mappings yet; process A owns ${plural(s.params.processA.bufferPfns.length, 'page')} of memory and process B ${plural(s.params.processB.pages.length, 'page')}.`;
  }
  const maps = s.uio ? s.uio.maps.length : 0;
  return `Before anything runs: the device ${s.device.bdf} is driven through ${UIO_PATH} (${plural(maps, 'map')}, interrupt count 0) with no IOMMU, so a bus address is a physical address; process A owns ${plural(s.params.processA.bufferPfns.length, 'page')} of memory and process B ${plural(s.params.processB.pages.length, 'page')}.`;
}

/** The narration of a state: the model's, or the initial sentence. */
export function narrationOf(s: UioState): string {
  return s.event?.narration || initialNarration(s);
}

/** The muted chip of a step with no kernel source: who acted, outside the kernel. */
export const noSourceText = noSourceByActor((s: UioState) => s.event?.actor, {
  A: 'in process A: a load or store through its mapping, no system call',
  B: 'in process B: its own memory',
  device: 'on the bus: the device, no kernel code runs',
});

/** A colour for a scheduler button (`--wc`) by who acts. */
export function choiceColor(c: UioChoice): string {
  if (c.actor === 'A' || c.actor === 'B') return seriesColor(FRAME_OWNERS[c.actor].series!);
  return c.actor === 'device' ? 'var(--sim-warn)' : 'var(--sim-muted)';
}

/** Frames hit by stray writes so far, with the step and whether they are B's. */
export function strayFrames(s: UioState): { pfn: number; step: number; owner: FrameOwner }[] {
  return s.frames.filter((f) => f.strayDmaStep !== null).map((f) => ({ pfn: f.pfn, step: f.strayDmaStep!, owner: f.owner }));
}

/** First bytes of a frame as text (printable ASCII, others '.'), trailing zeros dropped; '' when empty. */
export function frameText(bytes: readonly number[], max = 24): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const shown = bytes.slice(0, Math.min(end, max)).map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));
  return shown.join('') + (end > max ? '…' : '');
}
