/**
 * Layout of the UIO / VFIO diagrams, with no DOM: each function turns one state of
 * `sims/uio` into a `Scene` (keyed rectangles, paths and texts in SVG user units, the same
 * shape list the scatter-gather widget uses, `sg-layout.ts`).
 *
 * - `deviceScene`: the PCI device and its registers (value, meaning, changed this step); the
 *   interrupt path (line enabled / disabled / pending, the count `idev->event`, process A
 *   asleep in read() or returning); each open file's last-seen count; the UIO maps (index,
 *   name, memtype, sysfs addr, size, and the mmap offset N × 4096 that selects it). Under
 *   VFIO: the device bound to vfio-pci, no count, no maps.
 * - `memoryScene`: the device, the IOMMU (its IOVA → pfn mappings) or "no IOMMU", and the
 *   physical frames coloured by owner; every DMA chunk so far as an arrow from the device to
 *   the frames it hit (this step's bold, older ones faint), a stray write into B's frame red
 *   and labelled "B's page overwritten", a write the IOMMU blocked as an arrow ending in a
 *   bar, "IOMMU fault: nothing written".
 *
 * The server draws the initial scene as a string (`sceneToSvg` in `sg-layout.ts`) and the
 * browser draws each step with the same keys (`views/uio-diagrams.ts`). A scene's size
 * depends only on the run's parameters, never on the step, so stepping never moves the page.
 */
import { SCENE_W, type PathShape, type RectShape, type Scene, type Shape, type TextShape } from '../../scene/scene.ts';
import { seriesColor } from '../../scene/palette.ts';
import type { DmaWrite, FrameOwner, UioState } from '../../../sims/uio/index.ts';
import { PAGE_SIZE, UIO_PATH, VFIO_PATH } from '../../../sims/uio/index.ts';
import {
  FRAME_OWNERS,
  frameText,
  hex,
  irqLineKind,
  irqLineText,
  mapOffset,
  memtypeText,
  outcomeLabel,
  outcomeText,
  ownerClass,
  ownerName,
  readPhase,
  readPhaseText,
  regRows,
  sizeText,
} from './format.ts';

/** Width of both diagrams in SVG user units: the one scene width (`components/scene/scene.ts`). */
export const UIO_SCENE_W = SCENE_W;
const M = 8;

const r2 = (n: number): number => Math.round(n * 100) / 100;
const rect = (key: string, cls: string, x: number, y: number, w: number, h: number, rx = 0, color?: string): RectShape => ({
  kind: 'rect',
  key: `rect:${key}`,
  cls,
  x: r2(x),
  y: r2(y),
  w: r2(w),
  h: r2(h),
  ...(rx ? { rx } : {}),
  ...(color ? { color } : {}),
});
const text = (key: string, cls: string, x: number, y: number, t: string, anchor: TextShape['anchor'] = 'start'): TextShape => ({
  kind: 'text',
  key: `text:${key}`,
  cls,
  x: r2(x),
  y: r2(y),
  text: t,
  ...(anchor !== 'start' ? { anchor } : {}),
});
const path = (key: string, cls: string, d: string): PathShape => ({ kind: 'path', key: `path:${key}`, cls, d });

/** The owner colour of a frame (for `var(--c)`): its series colour, none for the kernel's pages and free frames. */
export function ownerColor(owner: FrameOwner): string | undefined {
  const series = FRAME_OWNERS[owner].series;
  return series === undefined ? undefined : seriesColor(series);
}

/** An arrowhead (a filled triangle) at `(x, y)` pointing right. */
export function arrowHead(x: number, y: number, size = 5): string {
  return `M${r2(x)},${r2(y)}L${r2(x - size * 1.4)},${r2(y - size)}L${r2(x - size * 1.4)},${r2(y + size)}Z`;
}

/** A horizontal S-curve from `(x0, y0)` to `(x1, y1)`. */
export function sCurve(x0: number, y0: number, x1: number, y1: number): string {
  const mx = (x0 + x1) / 2;
  return `M${r2(x0)},${r2(y0)}C${r2(mx)},${r2(y0)} ${r2(mx)},${r2(y1)} ${r2(x1)},${r2(y1)}`;
}

// ---------------------------------------------------------------------------------------
// (a) The device, the interrupt path, the maps

const DEV_ROW = 15;
const DEV_TOP = 4;
const REG_Y = DEV_TOP + 44;
const DEV_H = 44 + 5 * DEV_ROW + 24;
const IRQ_Y = DEV_TOP + DEV_H + 22;
const IRQ_H = 66;
const FILES_Y = IRQ_Y + IRQ_H + 16;
const MAPS_Y = FILES_Y + 2 * 14 + 14;
const MAP_ROW = 30;

/** Height of the device diagram for a run: fixed by how many UIO maps the driver has. */
export function deviceSceneHeight(s: UioState): number {
  const maps = s.params.iommu === 'vfio' ? 1 : Math.max(1, s.params.driver.maps.length);
  return MAPS_Y + 18 + maps * MAP_ROW + 4;
}

/** The device diagram of `s` (`prev`, the state before, marks registers that changed). */
export function deviceScene(s: UioState, prev: UioState | null = null): Scene {
  const shapes: Shape[] = [];
  const W = UIO_SCENE_W;
  const vfio = s.params.iommu === 'vfio';

  // The device and its registers.
  shapes.push(rect('dev', 'uio-box uio-dev', M, DEV_TOP, W - 2 * M, DEV_H, 6));
  shapes.push(text('dev-title', 'uio-head', M + 8, DEV_TOP + 16, `PCI device ${s.device.bdf} · BAR0 ${hex(s.device.bar0.phys)}`));
  const cols = { name: M + 8, off: 108, val: 158, meaning: 232 };
  const hy = DEV_TOP + 32;
  shapes.push(text('reg-h-name', 'uio-colhead', cols.name, hy, 'register'));
  shapes.push(text('reg-h-off', 'uio-colhead', cols.off, hy, 'offset'));
  shapes.push(text('reg-h-val', 'uio-colhead', cols.val, hy, 'value'));
  shapes.push(text('reg-h-mean', 'uio-colhead', cols.meaning, hy, 'meaning'));
  regRows(s, prev).forEach((r, i) => {
    const y = REG_Y + i * DEV_ROW;
    shapes.push(rect(`reg-${r.name}`, `uio-regrow${r.changed ? ' uio-changed' : ''}`, M + 3, y - 11, W - 2 * M - 6, DEV_ROW - 1, 2));
    shapes.push(text(`reg-${r.name}-name`, 'uio-regname', cols.name, y, r.name));
    shapes.push(text(`reg-${r.name}-off`, 'uio-faint', cols.off, y, r.offset));
    shapes.push(text(`reg-${r.name}-val`, 'uio-regval', cols.val, y, r.valueHex));
    shapes.push(text(`reg-${r.name}-mean`, `uio-meaning${r.name === 'STATUS' && r.value & 2 ? ' uio-bad-text' : ''}`, cols.meaning, y, r.meaning));
  });
  const t = s.device.transfer;
  const xfer = t
    ? `armed: ${t.len} bytes to ${vfio ? 'IOVA' : 'bus'} ${hex(t.busAddr)}, ${t.written} written`
    : `no transfer armed · ${s.device.interruptsRaised} interrupt${s.device.interruptsRaised === 1 ? '' : 's'} sent`;
  shapes.push(text('dev-xfer', 'uio-note', cols.name, REG_Y + 5 * DEV_ROW + 4, xfer));

  // The interrupt path.
  const bw = 104;
  const gap = (W - 2 * M - 3 * bw) / 2;
  const bx = [M, M + bw + gap, M + 2 * (bw + gap)];
  const midY = IRQ_Y + IRQ_H / 2;
  shapes.push(path('irq-down', 'uio-wire', `M${bx[0] + bw / 2},${DEV_TOP + DEV_H}V${IRQ_Y - 2}`));
  shapes.push(path('irq-down-head', 'uio-wirehead', `M${bx[0] + bw / 2},${IRQ_Y}l-4,-6h8Z`));
  shapes.push(text('irq-down-label', 'uio-note', bx[0] + bw / 2 + 6, IRQ_Y - 8, vfio ? 'MSI' : 'interrupt (MSI)'));
  const phase = readPhase(s);
  if (!vfio && s.uio) {
    const u = s.uio;
    const kind = irqLineKind(u.irqState);
    shapes.push(rect('irq', `uio-box uio-irq uio-irq-${kind}`, bx[0], IRQ_Y, bw, IRQ_H, 6));
    shapes.push(text('irq-title', 'uio-boxhead', bx[0] + bw / 2, IRQ_Y + 15, u.irq ? 'IRQ line' : 'no IRQ', 'middle'));
    shapes.push(text('irq-state', `uio-big uio-irqtext-${kind}`, bx[0] + bw / 2, IRQ_Y + 35, u.irq ? irqLineText(u.irqState).split(',')[0] : '—', 'middle'));
    shapes.push(
      text('irq-sub', 'uio-note', bx[0] + bw / 2, IRQ_Y + 53, u.irqState.pending ? '1 pending' : u.irqState.merged ? `${u.irqState.merged} lost` : u.irqHandler === 'genirq' ? 'handler disables' : 'stays enabled', 'middle'),
    );
    shapes.push(path('irq-to-count', 'uio-wire', `M${bx[0] + bw},${midY}H${bx[1] - 2}`));
    shapes.push(path('irq-to-count-head', 'uio-wirehead', arrowHead(bx[1], midY, 4)));
    shapes.push(rect('count', 'uio-box uio-count', bx[1], IRQ_Y, bw, IRQ_H, 6));
    shapes.push(text('count-title', 'uio-boxhead', bx[1] + bw / 2, IRQ_Y + 15, 'idev->event', 'middle'));
    shapes.push(text('count-value', 'uio-count-value', bx[1] + bw / 2, IRQ_Y + 44, String(u.event), 'middle'));
    shapes.push(text('count-sub', 'uio-note', bx[1] + bw / 2, IRQ_Y + 59, `sent ${s.device.interruptsRaised}, counted ${u.irqState.handled}`, 'middle'));
    shapes.push(path('count-to-a', `uio-wire${phase.kind === 'asleep' && phase.woken ? ' uio-wake' : ''}`, `M${bx[1] + bw},${midY}H${bx[2] - 2}`));
    shapes.push(path('count-to-a-head', `uio-wirehead${phase.kind === 'asleep' && phase.woken ? ' uio-wake' : ''}`, arrowHead(bx[2], midY, 4)));
    // Open files and the count each saw last.
    shapes.push(text('files-title', 'uio-colhead', bx[1], FILES_Y, 'files: count seen'));
    const files = s.procs[0].files.filter((f) => f.kind === 'uio');
    const lines = files.length === 0 ? ['none open'] : files.slice(0, 2).map((f) => `${f.fd === null ? 'closed fd' : `fd ${f.fd}`}${f.nonblock ? ' (O_NONBLOCK)' : ''} saw ${f.eventCount}${f.eventCount !== u.event ? ' ← behind' : ''}`);
    if (files.length > 2) lines[1] = `${lines[1]} (+${files.length - 2})`;
    lines.forEach((l, i) => shapes.push(text(`files-${i}`, `uio-file${l.includes('behind') ? ' uio-behind' : ''}`, bx[1], FILES_Y + 14 * (i + 1), l)));
  } else {
    shapes.push(rect('irq', 'uio-box uio-irq uio-irq-vfio', bx[0], IRQ_Y, bw + gap + bw, IRQ_H, 6));
    shapes.push(text('irq-title', 'uio-boxhead', bx[0] + 8, IRQ_Y + 15, 'vfio-pci: no interrupt count'));
    shapes.push(text('irq-l1', 'uio-note', bx[0] + 8, IRQ_Y + 32, 'MSIs go to an eventfd set with'));
    shapes.push(text('irq-l2', 'uio-note', bx[0] + 8, IRQ_Y + 45, 'VFIO_DEVICE_SET_IRQS (not modelled);'));
    shapes.push(text('irq-l3', 'uio-note', bx[0] + 8, IRQ_Y + 58, `the device sent ${s.device.interruptsRaised}.`));
    shapes.push(text('files-title', 'uio-colhead', bx[1], FILES_Y, 'open files'));
    const files = s.procs[0].files;
    const lines = files.length === 0 ? ['none open'] : files.slice(0, 2).map((f) => `${f.fd === null ? 'closed fd' : `fd ${f.fd}`} ${f.path === VFIO_PATH ? 'vfio0' : f.path}`);
    lines.forEach((l, i) => shapes.push(text(`files-${i}`, 'uio-file', bx[1], FILES_Y + 14 * (i + 1), l)));
  }
  // Process A and its read().
  const a = s.procs[0];
  const asleep = phase.kind === 'asleep';
  shapes.push(rect('proc-a', `uio-box uio-proc-a${asleep ? ' uio-asleep' : ''}${phase.kind === 'returned' ? ' uio-returned' : ''}${a.status === 'killed' ? ' uio-killed' : ''}`, bx[2], IRQ_Y, bw, IRQ_H, 6, ownerColor('A')));
  shapes.push(text('proc-a-title', 'uio-boxhead', bx[2] + bw / 2, IRQ_Y + 15, 'process A', 'middle'));
  const callText = a.status === 'killed' ? 'killed' : phase.kind === 'asleep' ? `read(${phase.fd}, …)` : phase.kind === 'returned' ? (phase.errno ? `read → -1` : `read → ${phase.value}`) : 'running';
  shapes.push(text('proc-a-call', 'uio-big', bx[2] + bw / 2, IRQ_Y + 36, callText, 'middle'));
  const sub =
    a.status === 'killed'
      ? 'SIGSEGV'
      : phase.kind === 'asleep'
        ? phase.woken
          ? 'woken: runnable'
          : `asleep since step ${phase.since}`
        : phase.kind === 'returned'
          ? phase.errno ?? 'woke and returned'
          : 'not in read()';
  shapes.push(text('proc-a-sub', 'uio-note', bx[2] + bw / 2, IRQ_Y + 53, sub, 'middle'));
  // The "zZ" of a sleeping read() (it fades out when A wakes).
  if (asleep && !phase.woken) shapes.push(text('proc-a-zz', 'uio-zz', bx[2] + bw - 5, IRQ_Y + 14, 'zZ', 'end'));
  if (vfio) {
    shapes.push(text('files-a-title', 'uio-colhead', bx[2], FILES_Y, 'IOMMU'));
    shapes.push(text('files-a-0', 'uio-file', bx[2], FILES_Y + 14, `${s.iommu.mappings.length} pages mapped`));
    shapes.push(text('files-a-1', `uio-file${s.iommu.faults.length ? ' uio-behind' : ''}`, bx[2], FILES_Y + 28, `${s.iommu.faults.length} fault${s.iommu.faults.length === 1 ? '' : 's'}`));
  } else {
    shapes.push(text('files-a-title', 'uio-colhead', bx[2], FILES_Y, 'A’s read()'));
    shapes.push(text('files-a-0', 'uio-file', bx[2], FILES_Y + 14, a.reads.length ? `last: ${a.reads[a.reads.length - 1].value}` : 'none yet'));
    const lastJump = a.reads.length ? a.reads[a.reads.length - 1].jump : 0;
    shapes.push(text('files-a-1', `uio-file${lastJump > 1 ? ' uio-behind' : ''}`, bx[2], FILES_Y + 28, a.reads.length ? `jump ${lastJump}${lastJump > 1 ? `: ${lastJump - 1} missed` : ''}` : ''));
  }
  shapes.push(text('files-dev-title', 'uio-colhead', bx[0], FILES_Y, 'device'));
  shapes.push(text('files-dev-0', 'uio-file', bx[0], FILES_Y + 14, `errors ${s.device.errors}`));
  shapes.push(text('files-dev-1', 'uio-file', bx[0], FILES_Y + 28, `queued ${s.device.queue.length}`));

  // The maps.
  if (!vfio && s.uio) {
    shapes.push(text('maps-title', 'uio-head', M, MAPS_Y, `${UIO_PATH} maps: mmap(…, offset = N × 4096)`));
    s.uio.maps.forEach((m, i) => {
      const y = MAPS_Y + 10 + i * MAP_ROW;
      const mapped = a.vmas.some((v) => v.kind === 'uio' && v.mapIndex === m.index);
      shapes.push(rect(`map-${i}`, `uio-map${m.allocated ? '' : ' uio-unalloc'}${mapped ? ' uio-mapped' : ''}`, M, y, W - 2 * M, MAP_ROW - 3, 4));
      shapes.push(text(`map-${i}-l1`, 'uio-mapline', M + 6, y + 12, `map${m.index} "${m.name}" · ${memtypeText(m)} · ${sizeText(m.size)}`));
      shapes.push(text(`map-${i}-tag`, `uio-maptag${mapped ? ' uio-on' : ''}`, W - M - 6, y + 12, mapped ? 'mapped by A' : m.allocated ? 'not mapped' : 'not allocated', 'end'));
      shapes.push(text(`map-${i}-l2`, 'uio-faint', M + 6, y + 24, `addr ${m.addrHex} · offset ${mapOffset(m.index)}`));
    });
  } else {
    shapes.push(text('maps-title', 'uio-head', M, MAPS_Y, `${VFIO_PATH}: no UIO maps`));
    const bar = a.vmas.find((v) => v.kind === 'vfio-bar');
    shapes.push(rect('map-0', `uio-map${bar ? ' uio-mapped' : ''}`, M, MAPS_Y + 10, W - 2 * M, MAP_ROW - 3, 4));
    shapes.push(text('map-0-l1', 'uio-mapline', M + 6, MAPS_Y + 22, 'region 0 = BAR0 at mmap offset 0'));
    shapes.push(text('map-0-tag', `uio-maptag${bar ? ' uio-on' : ''}`, W - M - 6, MAPS_Y + 22, bar ? 'mapped by A' : 'not mapped', 'end'));
    shapes.push(text('map-0-l2', 'uio-faint', M + 6, MAPS_Y + 34, 'memory: A’s own pages, mapped in the IOMMU'));
  }
  return { width: W, height: deviceSceneHeight(s), shapes, desc: deviceDesc(s) };
}

/** The `<desc>` of the device diagram: registers, the interrupt path, A's read(), the maps. */
export function deviceDesc(s: UioState): string {
  const regs = regRows(s)
    .map((r) => `${r.name} ${r.valueHex} (${r.meaning})`)
    .join(', ');
  const parts = [`Step ${s.stepIndex}. Registers: ${regs}.`];
  if (s.uio) {
    const u = s.uio;
    const files = s.procs[0].files.filter((f) => f.kind === 'uio').map((f) => `fd ${f.fd ?? '(closed)'} saw ${f.eventCount}`);
    parts.push(`Interrupt line ${irqLineText(u.irqState)}; count ${u.event}; device sent ${s.device.interruptsRaised}.`);
    parts.push(files.length ? `Open files: ${files.join(', ')}.` : 'No open files.');
    parts.push(`Process A: ${readPhaseText(readPhase(s))}.`);
    parts.push(`Maps: ${u.maps.map((m) => `map${m.index} ${m.name} ${memtypeText(m)} addr ${m.addrHex} at offset ${mapOffset(m.index)}`).join('; ')}.`);
  } else {
    parts.push(`The device is bound to vfio-pci; no interrupt count; the device sent ${s.device.interruptsRaised} interrupts.`);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------
// (b) Memory: device, IOMMU, frames, DMA arrows

const MEM_TOP = 28;
const COL = { devX: M, devW: 64, midX: 84, midW: 84, frX: 178, frW: UIO_SCENE_W - 178 - M };

/** Row height of a frame: 18 units up to 24 frames, 12 beyond. */
export function frameRowH(frames: number): number {
  return frames > 24 ? 12 : 18;
}

/** Height of the memory diagram for a run: fixed by the number of frames. */
export function memorySceneHeight(s: UioState): number {
  const n = s.params.frames;
  return MEM_TOP + n * frameRowH(n) + 8;
}

/** Centre y of frame `pfn`'s row. */
export function frameY(pfn: number, frames: number): number {
  const h = frameRowH(frames);
  return MEM_TOP + pfn * h + h / 2;
}

/** The IOVA rows drawn in the IOMMU box: its mappings in IOVA order (page by page). */
function iommuRowY(i: number): number {
  return MEM_TOP + 30 + i * 15;
}

/** The memory diagram of `s`: device, (no) IOMMU, frames by owner, DMA arrows. */
export function memoryScene(s: UioState): Scene {
  const shapes: Shape[] = [];
  /** The IOMMU's mapping rows, painted over the arrows. */
  const rows: Shape[] = [];
  const n = s.params.frames;
  const rowH = frameRowH(n);
  const H = memorySceneHeight(s);
  const vfio = s.params.iommu === 'vfio';

  shapes.push(text('h-dev', 'uio-colhead', COL.devX, 14, 'device'));
  shapes.push(text('h-mid', 'uio-colhead', COL.midX, 14, vfio ? 'IOMMU' : 'no IOMMU'));
  shapes.push(text('h-frames', 'uio-colhead', COL.frX, 14, 'physical frames (pfn, owner)'));

  // Device.
  const devY = MEM_TOP + 4;
  const devH = 70;
  const outY = devY + devH / 2 + 8;
  shapes.push(rect('m-dev', 'uio-box uio-dev', COL.devX, devY, COL.devW, devH, 6));
  shapes.push(text('m-dev-t', 'uio-boxhead', COL.devX + COL.devW / 2, devY + 15, 'device', 'middle'));
  shapes.push(text('m-dev-b', 'uio-faint', COL.devX + COL.devW / 2, devY + 28, s.device.bdf.slice(5), 'middle'));
  shapes.push(text('m-dev-r', 'uio-faint', COL.devX + COL.devW / 2, devY + 46, 'DMA_ADDR', 'middle'));
  shapes.push(text('m-dev-a', 'uio-regval', COL.devX + COL.devW / 2, devY + 60, hex(s.device.regs.DMA_ADDR), 'middle'));

  // The middle: the IOMMU with its mappings, or nothing between device and RAM.
  if (vfio) {
    shapes.push(rect('iommu', 'uio-box uio-iommu', COL.midX, MEM_TOP, COL.midW, H - MEM_TOP - 8, 6));
    shapes.push(text('iommu-h', 'uio-colhead', COL.midX + COL.midW / 2, MEM_TOP + 16, 'IOVA → pfn', 'middle'));
    if (s.iommu.mappings.length === 0) shapes.push(text('iommu-none', 'uio-note', COL.midX + COL.midW / 2, iommuRowY(0), 'no mappings', 'middle'));
    // The rows are drawn after the arrows (below), so an arrow seems to pass through its mapping.
    const used = new Set(s.device.log.filter((w) => w.step === s.stepIndex).flatMap((w) => w.targets.map((t) => (t.iova === null ? -1 : Math.floor(t.iova / PAGE_SIZE) * PAGE_SIZE))));
    s.iommu.mappings.forEach((m, i) => {
      rows.push(rect(`iommu-m-${m.iova}`, `uio-iommu-row${used.has(m.iova) ? ' uio-used' : ''}`, COL.midX + 3, iommuRowY(i) - 11, COL.midW - 6, 14, 2));
      rows.push(text(`iommu-mt-${m.iova}`, 'uio-iommu-text', COL.midX + COL.midW / 2, iommuRowY(i), `${hex(m.iova)}→${m.pfn}${m.write ? '' : ' ro'}`, 'middle'));
    });
    const faults = s.iommu.faults.length;
    shapes.push(text('iommu-faults', faults ? 'uio-note uio-bad-text' : 'uio-note', COL.midX + COL.midW / 2, H - 16, `${faults} fault${faults === 1 ? '' : 's'}`, 'middle'));
  } else {
    shapes.push(rect('iommu', 'uio-noiommu', COL.midX, MEM_TOP, COL.midW, H - MEM_TOP - 8, 6));
    shapes.push(text('iommu-h', 'uio-note', COL.midX + COL.midW / 2, H - 30, 'bus address', 'middle'));
    shapes.push(text('iommu-h2', 'uio-note', COL.midX + COL.midW / 2, H - 17, '= physical', 'middle'));
  }

  // Frames.
  for (const f of s.frames) {
    const y = MEM_TOP + f.pfn * rowH;
    const cls = `uio-frame uio-own-${ownerClass(f.owner)}${f.strayDmaStep !== null ? ' uio-stray' : ''}${f.dmaWrites > 0 && f.strayDmaStep === null ? ' uio-hit' : ''}`;
    shapes.push(rect(`frame-${f.pfn}`, cls, COL.frX, y + 0.5, COL.frW, rowH - 1, 2, ownerColor(f.owner)));
    shapes.push(text(`frame-${f.pfn}-pfn`, 'uio-pfn', COL.frX + 4, y + rowH / 2 + 3.5, String(f.pfn)));
    const content = frameText(f.bytes, 10);
    const label = f.owner === 'free' ? 'free' : f.owner === 'kernel' ? 'kernel' : f.label;
    shapes.push(text(`frame-${f.pfn}-label`, 'uio-framelabel', COL.frX + 20, y + rowH / 2 + 3.5, label));
    if (rowH >= 16 && content && f.owner !== 'kernel') shapes.push(text(`frame-${f.pfn}-text`, `uio-frametext${f.strayDmaStep !== null ? ' uio-bad-text' : ''}`, COL.frX + COL.frW - 3, y + rowH / 2 + 3.5, `"${content}"`, 'end'));
    else if (f.pinned) shapes.push(text(`frame-${f.pfn}-text`, 'uio-frametext', COL.frX + COL.frW - 3, y + rowH / 2 + 3.5, 'pinned', 'end'));
  }

  // DMA arrows: every chunk so far; this step's bold.
  const log = s.device.log;
  let faultRow = 0;
  log.forEach((w, i) => {
    const now = w.step === s.stepIndex;
    const base = `uio-dma uio-dma-${w.outcome}${now ? ' uio-now' : ' uio-old'}`;
    if (w.outcome === 'iommu-fault' || w.outcome === 'no-ram') {
      // Blocked: the arrow stops at a bar inside the IOMMU (or just past the device).
      const y = vfio ? iommuRowY(Math.max(s.iommu.mappings.length, 1)) + 14 + faultRow * 34 : outY + 30 + faultRow * 34;
      faultRow++;
      const endX = vfio ? COL.midX + 22 : COL.midX + 16;
      shapes.push(path(`dma-${i}`, base, sCurve(COL.devX + COL.devW, outY, endX, y)));
      shapes.push(path(`dma-${i}-bar`, `${base} uio-bar`, `M${endX},${y - 7}V${y + 7}`));
      if (now) {
        const lines = w.outcome === 'iommu-fault' ? ['IOMMU fault:', 'nothing written'] : ['no RAM:', 'nothing written'];
        lines.forEach((l, k) => shapes.push(text(`dma-${i}-label-${k}`, 'uio-dmalabel uio-blocked-text', COL.midX + COL.midW / 2, y + 20 + k * 11, l, 'middle')));
      }
      return;
    }
    w.targets.forEach((t, k) => {
      const y1 = frameY(t.pfn, n);
      const cls = `${base}${t.owner === 'B' ? ' uio-dma-b' : ''}`;
      let d: string;
      if (vfio && t.iova !== null) {
        const row = s.iommu.mappings.findIndex((m) => m.iova === Math.floor(t.iova! / PAGE_SIZE) * PAGE_SIZE);
        const ym = row >= 0 ? iommuRowY(row) - 4 : outY;
        // Device -> the mapping's row in the IOMMU -> through it -> the frame.
        d = `${sCurve(COL.devX + COL.devW, outY, COL.midX + 3, ym)}H${COL.midX + COL.midW - 3}${sCurve(COL.midX + COL.midW - 3, ym, COL.frX - 1, y1).replace(/^M[^C]*/, '')}`;
      } else {
        d = sCurve(COL.devX + COL.devW, outY, COL.frX - 1, y1);
      }
      shapes.push(path(`dma-${i}-${k}`, cls, d));
      shapes.push(path(`dma-${i}-${k}-head`, `${cls} uio-head-fill`, arrowHead(COL.frX, y1, 4)));
      if (now && w.outcome === 'stray') {
        const label = outcomeLabel(w);
        // Below the arrow's middle, in the empty "no IOMMU" column.
        const ly = Math.min(H - 50, Math.max(y1, outY) + 22);
        shapes.push(text(`dma-${i}-${k}-label`, 'uio-dmalabel uio-bad-text', COL.midX + COL.midW / 2 + 4, ly, label === "B's page overwritten" ? "B's page" : 'stray write:', 'middle'));
        shapes.push(text(`dma-${i}-${k}-label2`, 'uio-dmalabel uio-bad-text', COL.midX + COL.midW / 2 + 4, ly + 12, label === "B's page overwritten" ? 'overwritten' : ownerName(t.owner), 'middle'));
      }
    });
  });
  shapes.push(...rows);
  // A stray write stays marked on its frame after its step.
  for (const f of s.frames) {
    if (f.strayDmaStep !== null && f.strayDmaStep !== s.stepIndex && f.owner === 'B') {
      shapes.push(text(`frame-${f.pfn}-stray`, 'uio-dmalabel uio-bad-text', COL.frX - 6, frameY(f.pfn, n) - 7, `overwritten, step ${f.strayDmaStep}`, 'end'));
    }
  }
  return { width: UIO_SCENE_W, height: H, shapes, desc: memoryDesc(s) };
}

/** Frames grouped by owner for a sentence: `pfn 0-1 kernel; pfn 2 process B (B page 2); …`. */
export function framesSummary(s: UioState): string {
  const parts: string[] = [];
  let i = 0;
  const fr = s.frames;
  while (i < fr.length) {
    let j = i;
    while (j + 1 < fr.length && fr[j + 1].owner === fr[i].owner && fr[j + 1].label === fr[i].label) j++;
    const range = i === j ? `pfn ${fr[i].pfn}` : `pfn ${fr[i].pfn}-${fr[j].pfn}`;
    const who = fr[i].owner === 'free' || fr[i].owner === 'kernel' ? ownerName(fr[i].owner) : `${ownerName(fr[i].owner)} (${fr[i].label})`;
    parts.push(`${range} ${who}`);
    i = j + 1;
  }
  return parts.join('; ');
}

/** The `<desc>` of the memory diagram: frames by owner, IOMMU mappings, DMA writes so far. */
export function memoryDesc(s: UioState): string {
  const parts = [`Step ${s.stepIndex}. Frames: ${framesSummary(s)}.`];
  if (s.params.iommu === 'vfio') {
    parts.push(s.iommu.mappings.length ? `IOMMU mappings: ${s.iommu.mappings.map((m) => `IOVA ${hex(m.iova)} to pfn ${m.pfn}`).join(', ')}.` : 'The IOMMU has no mappings.');
  } else {
    parts.push('No IOMMU: the device uses physical addresses.');
  }
  const log: DmaWrite[] = s.device.log;
  parts.push(log.length ? `DMA writes so far: ${log.map((w) => `step ${w.step}, ${outcomeText(w)}`).join('; ')}.` : 'No DMA writes yet.');
  return parts.join(' ');
}
