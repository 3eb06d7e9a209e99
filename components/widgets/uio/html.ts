/**
 * HTML strings of the UIO / VFIO widget, with no DOM: the table view (registers, interrupt
 * and read(), UIO maps, frames, IOMMU, DMA writes, process B) and the status box under the
 * caption (what the device's DMA did to memory, and the kernel log). The server renders the
 * initial state with them (`UioSim.astro`) and `<uio-sim>` re-renders on every step, so both
 * say the same thing.
 */
import { PAGE_SIZE } from '../../../sims/uio/index.ts';
import type { UioState } from '../../../sims/uio/index.ts';
import { esc } from '../../player/shell-html.ts';
import {
  frameText,
  hex,
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
  strayFrames,
  writesNow,
} from './format.ts';

const table = (caption: string, head: string[], rows: string[][], cls = ''): string =>
  `<div class="sim-scroll" tabindex="0" role="region" aria-label="${esc(caption)}" data-scrolls><table class="sim-table uio-table${cls ? ` ${cls}` : ''}"><caption>${esc(caption)}</caption>` +
  `<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>` +
  `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`).join('')}</tbody></table></div>`;
const code = (s: string): string => `<code>${esc(s)}</code>`;

/** The device's registers as a table: register, offset, value, meaning (changed ones marked). */
export function registersTableHtml(s: UioState, prev: UioState | null = null): string {
  const rows = regRows(s, prev).map((r) => [
    code(r.name),
    code(r.offset),
    `${code(r.valueHex)}${r.changed ? ' <span class="uio-changed-tag">(changed)</span>' : ''}`,
    esc(r.meaning),
  ]);
  return table(`Device ${s.device.bdf} registers (BAR0 at ${hex(s.device.bar0.phys)})`, ['Register', 'Offset', 'Value', 'Meaning'], rows);
}

/** The interrupt path: line, count, interrupts sent/counted/lost, each file's last-seen count, A's read(). */
export function interruptTableHtml(s: UioState): string {
  const a = s.procs[0];
  const rows: string[][] = [];
  if (s.uio) {
    const u = s.uio;
    rows.push(['Interrupt line', u.irq ? esc(irqLineText(u.irqState)) : 'the driver has no interrupt']);
    rows.push([`Count (${code('idev->event')})`, String(u.event)]);
    rows.push(['Interrupts the device sent', String(s.device.interruptsRaised)]);
    rows.push(['Counted by the handler', String(u.irqState.handled)]);
    rows.push(['Lost while the line was disabled', String(u.irqState.merged)]);
    for (const f of a.files) {
      if (f.kind !== 'uio') continue;
      rows.push([`${f.fd === null ? 'A closed file' : `fd ${f.fd}`} last saw`, `${f.eventCount}${f.eventCount !== u.event ? ' (behind the count: read() returns at once)' : ''}${f.nonblock ? ', O_NONBLOCK' : ''}`]);
    }
  } else {
    rows.push(['Interrupts', `vfio-pci: MSIs go to an eventfd (not modelled); the device sent ${s.device.interruptsRaised}`]);
    for (const f of a.files) rows.push([f.fd === null ? 'A closed file' : `fd ${f.fd}`, esc(f.path)]);
  }
  const last = a.reads[a.reads.length - 1];
  rows.push(['Process A', `${esc(readPhaseText(readPhase(s)))}${a.status === 'killed' ? ' (killed)' : ''}`]);
  if (last) rows.push(['A’s last read() value', `${last.value} (jump ${last.jump}${last.jump > 1 ? `: ${last.jump - 1} missed` : ''})`]);
  return table('Interrupts and read()', ['What', 'Now'], rows);
}

/** The UIO maps (or, under VFIO, the BAR region): index, name, memtype, sysfs addr, size, the mmap offset that selects it, where A mapped it. */
export function mapsTableHtml(s: UioState): string {
  const a = s.procs[0];
  if (!s.uio) {
    const bar = a.vmas.find((v) => v.kind === 'vfio-bar');
    return table('VFIO regions', ['Region', 'What', 'mmap offset', 'A maps it at'], [['0', 'BAR0 (registers)', code('0x0'), bar ? code(hex(bar.start)) : 'not mapped']]);
  }
  const rows = s.uio.maps.map((m) => {
    const v = a.vmas.find((x) => x.kind === 'uio' && x.mapIndex === m.index);
    return [
      String(m.index),
      esc(m.name),
      code(memtypeText(m)),
      `${code(m.addrHex)}${m.allocated ? '' : ' (not allocated)'}`,
      sizeText(m.size),
      `${code(mapOffset(m.index))} = ${m.index} × ${PAGE_SIZE}`,
      v ? `${code(hex(v.start))} (${esc(v.pgprot)})` : 'not mapped',
    ];
  });
  return table(`UIO maps of ${esc(s.uio.name)} (/sys/class/uio/uio0/maps)`, ['Map', 'Name', 'memtype', 'sysfs addr', 'Size', 'mmap offset', 'A maps it at'], rows);
}

/** The physical frames: pfn, physical address, owner, label, the owner's virtual address, DMA writes, first bytes. */
export function framesTableHtml(s: UioState): string {
  const rows = s.frames.map((f) => [
    String(f.pfn),
    code(hex(f.pfn * PAGE_SIZE)),
    `<span class="uio-swatch uio-own-${ownerClass(f.owner)}" aria-hidden="true"></span>${esc(ownerName(f.owner))}${f.pinned ? ', pinned' : ''}`,
    esc(f.label),
    f.va === null ? '' : code(hex(f.va)),
    f.strayDmaStep !== null ? `<strong class="uio-bad-text">${f.dmaWrites}, stray at step ${f.strayDmaStep}${f.owner === 'B' ? ": B's page overwritten" : ''}</strong>` : String(f.dmaWrites),
    f.owner === 'kernel' ? '' : code(frameText(f.bytes, 24)),
  ]);
  return table('Physical memory (frames of 4 KiB)', ['pfn', 'Physical', 'Owner', 'Label', 'Owner’s address', 'DMA writes', 'Contents'], rows, 'uio-frames-table');
}

/** The IOMMU's mappings and faults (VFIO), or a line saying there is none. */
export function iommuTableHtml(s: UioState): string {
  if (s.iommu.mode === 'off') return '<p class="sim-note">No IOMMU: the device’s bus addresses are physical addresses, and nothing checks them.</p>';
  const maps = s.iommu.mappings.map((m) => [code(hex(m.iova)), String(m.pfn), `${m.read ? 'read' : ''}${m.read && m.write ? ', ' : ''}${m.write ? 'write' : ''}`]);
  const faults = s.iommu.faults.map((f) => [String(f.step), code(hex(f.iova)), esc(f.access), f.reason === 'not-mapped' ? 'no mapping' : 'read-only mapping']);
  return (
    table('IOMMU mappings (IOVA → frame)', ['IOVA', 'pfn', 'Access'], maps.length ? maps : [['none', '', '']]) +
    (faults.length ? table('IOMMU faults (nothing written)', ['Step', 'IOVA', 'Access', 'Reason'], faults) : '')
  );
}

/** The device's chunk writes so far: step, bus address, bytes, outcome, where. */
export function dmaLogTableHtml(s: UioState): string {
  const rows = s.device.log.map((w) => [
    String(w.step),
    code(hex(w.busAddr)),
    String(w.length),
    `<span class="uio-outcome uio-outcome-${w.outcome}">${esc(outcomeLabel(w))}</span>`,
    esc(outcomeText(w)),
  ]);
  return table(`DMA writes by the device${s.iommu.mode === 'vfio' ? ' (addresses are IOVAs)' : ' (bus address = physical address)'}`, ['Step', 'Address', 'Bytes', 'Outcome', 'Where'], rows.length ? rows : [['none yet', '', '', '', '']]);
}

/** Process B's pages and what it found when it read them. */
export function procBTableHtml(s: UioState): string {
  const b = s.procs[1];
  const pages = b.pages.map((p, i) => [String(i), code(hex(p.va)), String(p.pfn), code(frameText(s.frames[p.pfn]?.bytes ?? [], 24))]);
  const out = table('Process B’s pages', ['Page', 'Address', 'pfn', 'Contents now'], pages);
  if (!b.reads.length) return out;
  const reads = b.reads.map((r) => [String(r.page), String(r.pfn), code(r.text), r.corrupted ? '<strong class="uio-bad-text">corrupted</strong>' : 'intact']);
  return out + table('What process B read', ['Page', 'pfn', 'Found', 'Verdict'], reads);
}

/** The whole table view of a state. */
export function tablesHtml(s: UioState, prev: UioState | null = null): string {
  return [registersTableHtml(s, prev), interruptTableHtml(s), mapsTableHtml(s), framesTableHtml(s), iommuTableHtml(s), dmaLogTableHtml(s), procBTableHtml(s)].join('');
}

/**
 * The box under the caption: this step's DMA outcome (if the device wrote), the lasting
 * damage or protection so far (B's page overwritten at step N; IOMMU faults), and the kernel
 * log. Empty when there is nothing to say.
 */
export function statusHtml(s: UioState): string {
  const parts: string[] = [];
  for (const w of writesNow(s)) {
    const kind = w.outcome === 'ok' ? 'ok' : w.outcome === 'iommu-fault' ? 'blocked' : 'bad';
    parts.push(`<p class="uio-status uio-status-${kind}"><strong>${esc(outcomeLabel(w))}</strong>: ${esc(outcomeText(w))}.</p>`);
  }
  const now = new Set(writesNow(s).flatMap((w) => w.targets.map((t) => t.pfn)));
  for (const f of strayFrames(s)) {
    if (f.step === s.stepIndex && now.has(f.pfn)) continue;
    parts.push(`<p class="uio-status uio-status-bad"><strong>${f.owner === 'B' ? 'B’s page overwritten' : 'Stray DMA'}</strong> at step ${f.step}: pfn ${f.pfn}, ${esc(ownerName(f.owner))}.</p>`);
  }
  if (s.kernelLog.length) {
    parts.push(
      `<div class="uio-klog"><p class="uio-klog-title">Kernel log</p><ol class="uio-klog-lines">${s.kernelLog.map((l) => `<li><code>${esc(l)}</code></li>`).join('')}</ol></div>`,
    );
  }
  return parts.join('');
}

/** The prompt above the scheduler buttons. */
export const UIO_SCHED_PROMPT = '<strong>Play the scheduler:</strong> choose who runs next: process A, process B, or the device.';
